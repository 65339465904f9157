// The second clerk review of session 7 in the browser (A1, A4, A5, A7, B2):
// task 7's status and 最近报送 follow its lead unit, the other units listed
// beside; a figure awaiting review shows only its amount and the total it
// would make; 总体进度 counts the approved estimate with a pending one beside;
// a returned unit keeps its row in 单位分解 (已退回，不计入) and owes the report
// again in 待办. Screenshots at 1440 px and 375 px.
// Run: node --test tests/dashboard/lead-figures.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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

let lastPosition = 0;
async function post(role, type, data) {
  const reply = await server.api(tokens[role], '/api/v1/tasks/7/events', { method: 'POST', body: { type, data } });
  lastPosition = reply.event.position;
  return reply;
}

// Task 7 as the API shows it, once the view holds every event posted so far
// (the same view /todo reads).
async function task7() {
  return (await server.api(tokens.taskforce, `/api/v1/tasks/7?min_position=${lastPosition}`)).item;
}
const report = (value, percent) => ({
  period: chinaMonth(), summary: '本月托管服务进展', percent,
  indicators: [{ indicator: '农业生产社会化服务规模', value, unit: '万亩次' }],
});
const review = (version, decision) => ({ report_version: version, decision, comment: decision === 'returned' ? '数据不全' : '' });

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  await server.api(server.adminToken, '/api/v1/townships', { method: 'POST', body: { name: TOWNSHIP } });
  tokens.lead = (await server.principal('农业农村委联络员', 'department', LEAD)).token;
  tokens.cooperating = (await server.principal('供销社联络员', 'department', COOPERATING)).token;
  tokens.township = (await server.principal('永安街道联络员', 'department', TOWNSHIP)).token;
  await post('lead', 'ProgressReported', report(20, 25));          // v1
  await post('taskforce', 'ReportReviewed', review(1, 'approved')); // v2
  await post('cooperating', 'ProgressReported', report(3, 5));     // v3
  await post('taskforce', 'ReportReviewed', review(3, 'returned')); // v4
  await post('township', 'ProgressReported', report(2, 5));        // v5, awaits review
  await post('lead', 'ProgressReported', report(20, 40));          // v6, awaits review
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  console.log(`lead-figures screenshots: ${SHOTS}`);
});

test('the item: status follows the lead, only the pending amount is shown, 总体进度 counts the approved estimate', async () => {
  const item = await task7();
  assert.equal(item.status_label, '待审核');  // the lead's own v6 awaits review
  assert.deepEqual(item.pending_units, [TOWNSHIP]);
  assert.deepEqual(item.returned_units, [COOPERATING]);
  assert.equal(item.lead_report.version, 6);
  assert.equal(item.progress.percent, 25);
  assert.equal(item.progress_pending.percent, 40);

  for (const [viewport, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    const page = await newPage('taskforce', viewport);
    await open(page, '#/item/task/7', '#page-item h2');
    await page.waitForFunction(() => document.querySelector('#unit-breakdown .pending-figure')?.offsetParent !== null, null,
      { timeout: TIMEOUT });
    const text = await page.locator('#page-item').innerText();
    assert.match(text, /配合单位待审核：永安街道/);
    assert.match(text, /25%[\s\S]*另有待审核 40%/);
    assert.match(await page.locator('#unit-breakdown .county-figure').innerText(),
      /全县\s*20 万亩次[\s\S]*另有待审核 2 万亩次（审核通过后全县 22 万亩次）/);
    const rows = await page.locator('#unit-breakdown tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.replace(/\s*\n\s*/g, '').trim())));
    const returned = rows.find((r) => r[0].startsWith(COOPERATING));
    assert.ok(returned, 'the returned unit keeps its row');
    assert.equal(returned[4], '已退回');
    assert.equal(returned[5], '已退回，不计入');
    await shoot(page, `lead-figures-item-${name}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('the board: the lead\'s status, the other units beside it, 最近报送 the lead\'s report', async () => {
  // The task force approves the lead's v6: the township's report alone awaits review.
  await post('taskforce', 'ReportReviewed', review(6, 'approved'));
  const page = await newPage('taskforce');
  await open(page, '#/board', 'table.board tbody tr[data-task="7"]');
  const row = page.locator('table.board tbody tr[data-task="7"]');
  await page.waitForFunction(() => document.querySelector('table.board tbody tr[data-task="7"] .chip')?.textContent === '推进中',
    null, { timeout: TIMEOUT });
  const status = await row.locator('td[data-label="状态"]').innerText();
  assert.match(status, /推进中[\s\S]*配合单位待审核：永安街道；配合单位已退回：县供销合作社/);
  assert.match(await row.locator('td[data-label="进度"]').innerText(), /40%/);
  await shoot(page, 'lead-figures-board-desktop');
  await page.setViewportSize(PHONE);
  await shoot(page, 'lead-figures-board-phone');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a returned report is owed again in the unit\'s 待办 until it reports again', async () => {
  await task7();
  const todo = await server.api(tokens.cooperating, '/api/v1/todo');
  const owed = todo.items.filter((i) => i.kind === 'report' && i.stream === 'task-07');
  assert.equal(owed.length, 1);
  assert.match(owed[0].reason, /进展报送已退回，须重新报送/);
  const page = await newPage('cooperating');
  await open(page, '#/todo', '#page-todo tr[data-kind="report"]');
  assert.match(await page.locator('#page-todo').innerText(), /已退回，须重新报送/);
  await shoot(page, 'lead-figures-todo-desktop');
  await page.setViewportSize(PHONE);
  await shoot(page, 'lead-figures-todo-phone');
  assert.deepEqual(page.errors, []);
  await page.context().close();

  await post('cooperating', 'ProgressReported', report(3, 5));
  await task7();
  const after = await server.api(tokens.cooperating, '/api/v1/todo');
  assert.equal(after.items.filter((i) => i.kind === 'report' && i.stream === 'task-07').length, 0);
});
