// Figures a clerk defends at the year-end meeting (issue 11, session 7 clerk
// review): a cooperating unit's returned report is its own 退回, not the
// task's; a major item without reports of its own follows its linked tasks
// (据关联任务); the 单位视图's summary cards count exactly its table's rows.
// Screenshots at 1440 px and 375 px.
// Run: node --test tests/dashboard/figures.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import path from 'node:path';
import assert from 'node:assert/strict';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, TIMEOUT, chinaMonth, launchBrowser, newPage as openPage, open, shoot } from './browser.mjs';

const LEAD = '县农业农村委';      // leads task 7
const COOPERATING = '县供销合作社';  // cooperates on task 7, leads task 2 (linked to 重大项目4)

let server;
let browser;
const tokens = {};

async function newPage(role, viewport = DESKTOP) {
  return openPage(browser, server.base, tokens[role], viewport);
}

async function post(role, task, type, data) {
  return server.api(tokens[role], `/api/v1/tasks/${task}/events`, { method: 'POST', body: { type, data } });
}

const report = (summary) => ({ period: chinaMonth(), summary, percent: 20, indicators: [] });
const review = (version, decision) => ({ report_version: version, decision, comment: decision === 'returned' ? '数据不全' : '' });

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  tokens.lead = (await server.principal('农业农村委联络员', 'department', LEAD)).token;
  tokens.cooperating = (await server.principal('供销社联络员', 'department', COOPERATING)).token;
  await post('lead', 7, 'ProgressReported', report('完成托管服务'));             // v1
  await post('taskforce', 7, 'ReportReviewed', review(1, 'approved'));          // v2
  await post('cooperating', 7, 'ProgressReported', report('配合开展托管服务'));  // v3
  await post('taskforce', 7, 'ReportReviewed', review(3, 'returned'));          // v4
  await post('cooperating', 2, 'ProgressReported', report('乡镇农合联组建进展')); // task 2 v1
  await post('taskforce', 2, 'ReportReviewed', review(1, 'approved'));
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  console.log(`figures screenshots: ${SHOTS}`);
});

test('a cooperating unit\'s returned report leaves the task 推进中 and shows as that unit\'s own 退回', async () => {
  const view = (await server.api(tokens.taskforce, '/api/v1/views/supervision')).rendered;
  const task = view.tasks.find((t) => t.no === 7);
  assert.equal(task.status_label, '推进中');
  assert.deepEqual(task.returned_units, [COOPERATING]);
  assert.equal(view.counts.by_status.returned, 0);

  const page = await newPage('taskforce');
  await open(page, '#/item/task/7', '#page-item h2');
  const status = page.locator('#page-item dd').filter({ has: page.locator('.chip') }).first();
  await page.waitForFunction(() => document.querySelector('#page-item .unit-returned')?.offsetParent !== null, null,
    { timeout: TIMEOUT });
  assert.match(await status.innerText(), /推进中[\s\S]*配合单位报告已退回：县供销合作社/);
  await shoot(page, 'figures-item-desktop');
  await page.setViewportSize(PHONE);
  await shoot(page, 'figures-item-phone');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('重大项目4 follows its linked task 2 while it has no report of its own', async () => {
  const page = await newPage('taskforce');
  await open(page, '#/', 'main');
  const row = page.locator('tr', { hasText: '建设为农服务中心10个' }).first();
  await row.waitFor({ timeout: TIMEOUT });
  assert.match(await row.innerText(), /推进中[\s\S]*据关联任务/);
  // 重大项目3 is linked to task 22, which nobody reported on.
  assert.match(await page.locator('tr', { hasText: '数字化应用平台' }).first().innerText(), /未启动/);
  await shoot(page, 'figures-majors-desktop');
  await page.setViewportSize(PHONE);
  await shoot(page, 'figures-majors-phone');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// The cards, and the table rows by their 预警 column: the same numbers.
async function cardsAndRows(page) {
  return page.evaluate(() => {
    const card = (name) => Number(document.querySelector(`#page-units [data-card="${name}"] b`).textContent);
    const labels = { none: '无', blue: '蓝', yellow: '黄', red: '红' };
    const rows = [...document.querySelectorAll('#page-units table.list tbody tr')]
      .filter((tr) => tr.querySelector('td[data-label="预警"]'));
    const byRows = {};
    for (const [level, label] of Object.entries(labels)) {
      byRows[level] = rows.filter((tr) => tr.querySelector('td[data-label="预警"] .warn').textContent.trim() === label).length;
    }
    const cards = {};
    for (const level of Object.keys(labels)) cards[level] = card(`warn-${level}`);
    return { cards, byRows, rows: rows.length, led: card('led'), cooperating: card('cooperating'), majors: card('majors'),
      returned: [...document.querySelectorAll('#page-units .unit-returned')].filter((e) => e.offsetParent !== null).length };
  });
}

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`单位视图's summary cards count the rows of its own tables (${name})`, async () => {
    const page = await newPage('taskforce', viewport);
    await open(page, `#/units/${encodeURIComponent(COOPERATING)}`, '#page-units .unit-title');
    await page.locator('#page-units [data-card="warn-none"]').waitFor({ timeout: TIMEOUT });
    const shown = await cardsAndRows(page);
    assert.deepEqual(shown.cards, shown.byRows);
    assert.equal(shown.rows, shown.led + shown.cooperating + shown.majors);
    assert.equal(Object.values(shown.cards).reduce((a, b) => a + b, 0), shown.rows);
    assert.equal(shown.returned, 1, 'task 7 shows the unit\'s own 退回');
    assert.match(await page.locator('#page-units .unit-cards-note').innerText(), new RegExp(`共${shown.rows}项`));
    await shoot(page, `figures-units-${name}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

test('督办通知单 prints the 批示 on that notice (A4)', async () => {
  const leader = (await server.principal('县委副书记 李四', 'leader')).token;
  const due = new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10);
  await post('taskforce', 7, 'NoticeIssued', { notice_id: 'DB-S7', due, reason: '进度滞后于序时，请加快推进' });
  await server.api(leader, '/api/v1/tasks/7/events',
    { method: 'POST', body: { type: 'InstructionGiven', data: { text: '请农业农村委本周内报送整改方案', notice_id: 'DB-S7' } } });
  const page = await newPage('taskforce');
  await page.goto(`${server.base}/api/v1/tasks/7/notices/DB-S7/print`);
  const text = await page.locator('body').innerText();
  assert.match(text, /领导批示\s*请农业农村委本周内报送整改方案\s*——县委副书记 李四/);
  await page.pdf({ path: path.join(SHOTS, 'figures-notice-instruction-a4.pdf'), format: 'A4', printBackground: true });
  await page.context().close();
});
