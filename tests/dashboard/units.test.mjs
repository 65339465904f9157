// 单位分解 (issue 10 item 2) in the browser: a township and the lead unit report
// the same indicator of task 7; the county figure is their sum until the lead
// ticks 全县数, and the item page shows each unit's figure and how the county
// figure was formed, at 1440 px and 375 px. Only the lead sees the 全县数 box.
// Run: node --test tests/dashboard/units.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, TIMEOUT, chinaMonth, launchBrowser, newPage as openPage, open, shoot } from './browser.mjs';

const LEAD = '县农业农村委';       // leads task 7 (农业生产社会化服务规模, 78万亩次)
const COOPERATING = '县供销合作社';
const TOWNSHIP = '永安街道';

let server;
let browser;
const tokens = {};

async function newPage(role, viewport = DESKTOP) {
  return openPage(browser, server.base, tokens[role], viewport);
}

function report(value, scope) {
  const indicator = { indicator: '农业生产社会化服务规模', value, unit: '万亩次' };
  if (scope) indicator.scope = scope;
  return { type: 'ProgressReported', data: { period: chinaMonth(), summary: '本月托管服务进展', percent: 10, indicators: [indicator] } };
}

// The lead reports through the form, ticking 全县数 or not.
async function leadReports(value, countyWide) {
  const page = await newPage('lead');
  await open(page, '#/report/task-07', '#page-report input[name="indicator-0"]');
  await page.locator('textarea[name=summary]').fill('本月托管服务进展（县农业农村委）');
  await page.locator('input[name=percent]').fill('20');
  await page.locator('input[name="indicator-0"]').fill(String(value));
  const box = page.locator('input[name="county-0"]');
  assert.ok(await box.isVisible(), 'the lead sees the 全县数 box');
  if (countyWide) await box.check();
  await page.getByRole('button', { name: '提交报送' }).click();
  await page.locator('#page-item h2').waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
}

// The item page once the view shows `county`: the county line and the rows.
async function breakdownOnItemPage(page, county) {
  await open(page, '#/item/task/7', '#page-item h2');
  await page.waitForFunction((text) => {
    const el = document.querySelector('#unit-breakdown .county-value');
    return el && el.offsetParent !== null && el.textContent.includes(text);
  }, county, { timeout: TIMEOUT });
  const rows = await page.locator('#unit-breakdown tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.replace(/\s*\n\s*/g, '').trim())));
  return { line: await page.locator('#unit-breakdown .county-figure').innerText(), rows };
}

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  await server.api(server.adminToken, '/api/v1/townships', { method: 'POST', body: { name: TOWNSHIP } });
  tokens.lead = (await server.principal('农业农村委联络员', 'department', LEAD)).token;
  tokens.cooperating = (await server.principal('供销社联络员', 'department', COOPERATING)).token;
  tokens.township = (await server.principal('永安街道联络员', 'department', TOWNSHIP)).token;
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  console.log(`units screenshots: ${SHOTS}`);
});

test('only the lead unit sees the 全县数 box; a township asking for it is refused', async () => {
  const page = await newPage('cooperating');
  await open(page, '#/report/task-07', '#page-report input[name="indicator-0"]');
  assert.equal(await page.locator('input[name="county-0"]').isVisible(), false);
  await page.context().close();

  await assert.rejects(server.api(tokens.township, '/api/v1/tasks/7/events', { method: 'POST', body: report(1.2, 'county') }),
    /403.*county_figure_lead_only/);
  assert.equal((await server.api(tokens.taskforce, '/api/v1/tasks/7/events')).events.length, 0, 'a refused report appends nothing');
});

// The task force approves report version `version` of task 7.
async function approve(version) {
  await server.api(tokens.taskforce, '/api/v1/tasks/7/events',
    { method: 'POST', body: { type: 'ReportReviewed', data: { report_version: version, decision: 'approved' } } });
}

test('a township and the lead report the same indicator: the county figure is their sum, then the lead\'s 全县数', async () => {
  await server.api(tokens.township, '/api/v1/tasks/7/events', { method: 'POST', body: report(1.2) });  // v1
  await leadReports(12, false);                                                                         // v2

  // Session 7, item 3: figures awaiting review do not count; they show beside the county figure.
  const waiting = await newPage('taskforce');
  await open(waiting, '#/item/task/7', '#page-item h2');
  await waiting.waitForFunction(() => {
    const el = document.querySelector('#unit-breakdown .pending-figure');
    return el && el.offsetParent !== null && el.textContent.includes('13.2');
  }, null, { timeout: TIMEOUT });
  assert.match(await waiting.locator('#unit-breakdown .county-value').innerText(), /—/);
  assert.match(await waiting.locator('#unit-breakdown').innerText(), /不计入（待审核，审核通过后计入）/);
  const pendingBoard = await server.api(tokens.taskforce, '/api/v1/views/supervision');
  const pendingIndicator = pendingBoard.rendered.tasks.find((t) => t.no === 7).indicators[0];
  assert.equal(pendingIndicator.latest_value, null);
  assert.equal(pendingIndicator.pending.value, 13.2);
  await shoot(waiting, 'units-pending-desktop');
  await waiting.setViewportSize(PHONE);
  await shoot(waiting, 'units-pending-phone');
  assert.deepEqual(waiting.errors, []);
  await waiting.context().close();
  await approve(1);  // v3
  await approve(2);  // v4

  const desktop = await newPage('taskforce');
  let shown = await breakdownOnItemPage(desktop, '13.2');
  assert.match(shown.line, /农业生产社会化服务规模：全县\s*13\.2 万亩次[\s\S]*各单位合计/);
  assert.deepEqual(shown.rows.map((r) => [r[0], r[1], r[2], r[5]]), [
    [`${LEAD}（牵头）`, '12 万亩次', '本单位', '计入'],
    [TOWNSHIP, '1.2 万亩次', '本单位', '计入'],
  ]);
  const board = await server.api(tokens.taskforce, '/api/v1/views/supervision');
  const indicator = board.rendered.tasks.find((t) => t.no === 7).indicators[0];
  assert.equal(indicator.latest_value, 13.2);
  assert.equal(indicator.progress_percent, 16.9);
  await shoot(desktop, 'units-sum-desktop');
  await desktop.setViewportSize(PHONE);
  await shoot(desktop, 'units-sum-phone');
  assert.deepEqual(desktop.errors, []);
  await desktop.context().close();

  await leadReports(30, true);  // v5
  await approve(5);             // v6
  const phone = await newPage('taskforce', PHONE);
  shown = await breakdownOnItemPage(phone, '30');
  assert.match(shown.line, /全县\s*30 万亩次[\s\S]*牵头单位报全县数/);
  assert.deepEqual(shown.rows.map((r) => [r[0], r[1], r[2], r[5]]), [
    [`${LEAD}（牵头）`, '30 万亩次', '全县数', '计入'],
    [TOWNSHIP, '1.2 万亩次', '本单位', '不计入（已含在牵头单位全县数中）'],
  ]);
  // The task's own table and the county targets show the same number.
  assert.match(await phone.locator('#page-item table.list').first().innerText(), /30 万亩次[\s\S]*牵头单位报全县数/);
  const targets = (await server.api(tokens.taskforce, '/api/v1/views/supervision')).rendered.targets
    .filter((t) => t.source && t.source.task === 7);
  // A county target of this year or later reads this year's figure; an earlier year's only figures of its year.
  const year = Number(chinaMonth().slice(0, 4));
  for (const t of targets) assert.equal(t.latest_value, t.year === null || t.year >= year ? 30 : null, `target ${t.year}`);
  await shoot(phone, 'units-county-phone');
  await phone.setViewportSize(DESKTOP);
  await shoot(phone, 'units-county-desktop');
  // The item page prints with its 单位分解 on A4.
  await phone.emulateMedia({ media: 'print' });
  assert.ok(await phone.locator('#unit-breakdown').isVisible(), '单位分解 prints');
  await phone.pdf({ path: path.join(SHOTS, 'units-item-a4.pdf'), format: 'A4', printBackground: true });
  assert.deepEqual(phone.errors, []);
  await phone.context().close();
});
