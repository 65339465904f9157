// Clerk review of session 7 (A2, B1, B3, B5, B7) in the browser, on a store
// created today, so supervision starts this month: years before it are
// 未纳入督办 in 年终考核 and 统计; a notice is named by its 文号 in the timeline
// and banners; 单位视图 lists an answered, not closed notice as 待销号; a
// qualitative target reads 定性目标; a javascript: 佐证链接 is refused.
// Screenshots at 1440 px and 375 px.
// Run: node --test tests/dashboard/fig3.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, TIMEOUT, chinaDate, chinaMonth, launchBrowser, newPage as openPage, open, shoot } from './browser.mjs';

const LEAD = '县农业农村委';  // leads task 3
const THIS_YEAR = Number(chinaMonth().slice(0, 4));

let server;
let browser;
const tokens = {};
let number = '';  // the 文号 of the notice on task 3

async function newPage(role, viewport = DESKTOP) {
  return openPage(browser, server.base, tokens[role], viewport);
}

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  tokens.lead = (await server.principal('农业农村委联络员', 'department', LEAD)).token;
  browser = await launchBrowser();
  const issued = await server.api(tokens.taskforce, '/api/v1/tasks/3/events', {
    method: 'POST', body: { type: 'NoticeIssued', data: { notice_id: 'DB-F3-1', reason: '示范社创建进度滞后', due: chinaDate(12) } },
  });
  number = issued.event.data.number;
  assert.match(number, /^奉三位一体督〔\d{4}〕\d+号$/);
  for (const type of ['NoticeSigned', 'NoticeAnswered']) {
    const data = { notice_id: 'DB-F3-1' };
    if (type === 'NoticeAnswered') data.summary = '已召开专题会议，整改到位';
    await server.api(tokens.lead, '/api/v1/tasks/3/events', { method: 'POST', body: { type, data } });
  }
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  console.log(`fig3 screenshots: ${SHOTS}`);
});

test('年终考核 offers only years from the supervision start; an earlier year reads 未纳入督办', async () => {
  const page = await newPage('taskforce');
  await open(page, `#/assessment/${THIS_YEAR}`, '#page-assessment select[name=year]');
  await page.waitForFunction(() => document.querySelectorAll('#page-assessment select[name=year] option').length > 0,
    null, { timeout: TIMEOUT });
  const years = await page.locator('#page-assessment select[name=year] option').evaluateAll((os) => os.map((o) => Number(o.value)));
  assert.ok(years.length > 0 && years.every((y) => y >= THIS_YEAR), `offered ${years}`);
  await open(page, `#/assessment/${THIS_YEAR - 1}`, '#page-assessment .scope-note');
  await page.waitForFunction(() => (document.querySelector('#page-assessment .scope-note')?.textContent || '').includes('未纳入督办'),
    null, { timeout: TIMEOUT });
  const note = await page.locator('#page-assessment .scope-note').innerText();
  assert.match(note, new RegExp(`^${THIS_YEAR - 1}年未纳入督办（督办自${THIS_YEAR}年\\d+月起），不计分、不排名$`));
  await shoot(page, 'fig3-assessment-before-start-desktop');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('统计 reads the years before supervision as 未纳入督办, with no points and no rank', async () => {
  for (const [viewport, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    const page = await newPage('taskforce', viewport);
    await open(page, '#/stats', '#page-stats td[data-label="历年考核得分"]');
    await page.waitForFunction(() => [...document.querySelectorAll('#page-stats td[data-label="历年考核得分"]')]
      .some((td) => td.textContent.includes('未纳入督办')), null, { timeout: TIMEOUT });
    const cells = await page.locator('#page-stats td[data-label="历年考核得分"]').allInnerTexts();
    const before = cells.join('\n').split(/[；\n]/).filter((t) => Number(t.slice(0, 4)) < THIS_YEAR && t.includes('年'));
    assert.ok(before.length > 0);
    for (const text of before) assert.match(text.trim(), /^\d{4}年 未纳入督办$/);
    await shoot(page, `fig3-stats-${name}`);
    await page.context().close();
  }
});

test('the timeline and banners name the notice by its 文号, not its id', async () => {
  const page = await newPage('taskforce');
  await open(page, '#/item/task/3', '#page-item ol.timeline li');
  await page.waitForFunction((n) => (document.querySelector('#page-item ol.timeline')?.textContent || '').includes(`签收督办 ${n}`),
    number, { timeout: TIMEOUT });
  const timeline = await page.locator('#page-item ol.timeline').innerText();
  assert.ok(timeline.includes(`答复督办 ${number}`), timeline);
  assert.ok(timeline.includes(`下发督办 ${number}`), timeline);
  assert.ok(!/督办 DB-F3-1/.test(timeline), timeline);
  await shoot(page, 'fig3-timeline-desktop');

  // Issuing from the form: the banner carries the number assigned at issue.
  await open(page, '#/review', '#form-notice');
  const form = page.locator('#form-notice');
  await form.locator('select[name=stream]').selectOption('task-04');
  await form.locator('input[name=notice_id]').fill('DB-F3-2');
  await form.locator('textarea[name=reason]').fill('建设进度滞后，请说明原因');
  await form.locator('input[name=due]').fill(chinaDate(5));
  await form.getByRole('button', { name: '下发督办' }).click();
  await page.waitForFunction(() => /已下发督办 奉三位一体督〔\d{4}〕\d+号/.test(document.body.innerText), null, { timeout: TIMEOUT });
  assert.ok(!(await page.locator('body').innerText()).includes('已下发督办 DB-F3-2'));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('单位视图 lists an answered, not closed notice as 待销号', async () => {
  for (const [viewport, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    const page = await newPage('taskforce', viewport);
    await open(page, `#/units/${encodeURIComponent(LEAD)}`, '#page-units h2');
    const row = page.locator('#page-units tr', { hasText: `督办 ${number} 待销号` });
    await row.first().waitFor({ timeout: TIMEOUT });
    assert.equal((await row.first().locator('td[data-label="剩余"]').innerText()).trim(), '待销号');
    assert.equal(await page.locator('#page-units p.empty', { hasText: '没有待办的时限或督办' }).isVisible(), false);
    await shoot(page, `fig3-units-closing-${name}`);
    await page.context().close();
  }
});

test('a qualitative target reads 定性目标 with its text, not "— / —"', async () => {
  for (const [viewport, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    const page = await newPage('taskforce', viewport);
    await open(page, '#/', '#page-overview .target');
    const qualitative = page.locator('#page-overview .target-value .qualitative', { hasText: '县农合联' });
    await qualitative.first().waitFor({ timeout: TIMEOUT });
    assert.match(await qualitative.first().innerText(), /^定性目标：县农合联/);
    const values = await page.locator('#page-overview .target-value').allInnerTexts();
    assert.ok(!values.some((v) => v.includes('— / —')), values.join(' | '));
    await shoot(page, `fig3-targets-${name}`);
    await page.context().close();
  }
});

test('a javascript: 佐证链接 is refused with link_scheme naming the field', async () => {
  const body = { type: 'ProgressReported', data: { period: chinaMonth(), summary: '本月进展', percent: 10,
    evidence: [{ title: '台账', uri: 'javascript:alert(1)' }] } };
  await assert.rejects(server.api(tokens.lead, '/api/v1/tasks/3/events', { method: 'POST', body }),
    (e) => /"code":"link_scheme"/.test(e.message) && /"field":"data\.evidence\[0\]\.uri"/.test(e.message));
});

test('this month\'s 情况通报 says last month is 未纳入督办, not 0项, and states the window (A4 PDF)', async () => {
  const month = chinaMonth();
  const previous = chinaMonth(1);
  const bulletin = await server.api(tokens.taskforce, `/api/v1/bulletins/${month}`);
  assert.equal(bulletin.reports_in_scope, false);
  assert.equal(bulletin.supervision_start, month);
  const context = await browser.newContext({
    viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
    extraHTTPHeaders: { Authorization: `Bearer ${tokens.taskforce}` },
  });
  const page = await context.newPage();
  const response = await page.goto(`${server.base}/api/v1/bulletins/${month}/print`);
  assert.equal(response.status(), 200);
  const file = path.join(SHOTS, 'fig3-bulletin-before-start.pdf');
  await page.pdf({ path: file, format: 'A4', preferCSSPageSize: true, printBackground: true });
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
  const [y, m] = previous.split('-').map(Number);
  assert.ok(text.includes(`${y}年${m}月进度未纳入督办`), text);
  assert.ok(!text.includes('逾期报送0项'), text);
  assert.ok(text.includes(bulletin.window_label.replace(/\s+/g, '')), text);
  await shoot(page, 'fig3-bulletin-before-start');
  await context.close();
});
