// Browser tests of milestones (时限) on the dashboard against a real
// `kuimen serve`: the unit ticks the milestones its report meets, the task
// force approves it, marks one met, moves one with a reason and cancels one
// after confirming; only an unmet milestone past its date stays red, and each
// milestone keeps its history. Desktop (1440 px) and phone (375 px).
// Run: node --test tests/dashboard/milestones.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, chinaDate, launchBrowser, newPage as openPage, open, shoot } from './browser.mjs';

const UNIT = '县农业农村委';  // leads task 7

let server;
let browser;
const tokens = {};
let lastPosition = 0;  // of the last event this file posted: reads wait for the view to hold it

async function newPage(role, viewport = DESKTOP) {
  return openPage(browser, server.base, tokens[role], viewport);
}

// Posts one event to task 7 as the task force.
async function post(type, data) {
  const reply = await server.api(tokens.taskforce, '/api/v1/tasks/7/events', { method: 'POST', body: { type, data } });
  lastPosition = reply.event.position;
  return reply.event;
}

// Task 7 as the API shows it (the supervision view's item), once the view
// holds every event stored so far.
async function task7() {
  const health = await (await fetch(`${server.base}/healthz`)).json();
  const at = Math.max(lastPosition, health.head_position || 0);
  return (await server.api(tokens.taskforce, `/api/v1/tasks/7?min_position=${at}`)).item;
}

function milestoneOf(item, name) {
  const found = item.deadlines.find((d) => d.milestone === name);
  assert.ok(found, `task 7 has milestone ${name}`);
  return found;
}

// The milestone's line on the item page.
function line(page, name) {
  return page.locator(`#milestones li[data-milestone="${name}"]`);
}

async function stateOf(page, name) {
  return (await line(page, name).locator('[data-role=milestone-state]').innerText()).trim();
}

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  tokens.department = (await server.principal('农业农村委督办联络员', 'department', UNIT)).token;
  browser = await launchBrowser();
  // Four milestones on task 7: two already past their date (red), two ahead.
  await post('DeadlineSet', { milestone: '首期托管', due: chinaDate(-3) });
  await post('DeadlineSet', { milestone: '托管台账建档', due: chinaDate(-1) });
  await post('DeadlineSet', { milestone: '年度目标', due: chinaDate(40) });
  await post('DeadlineSet', { milestone: '冬季专项', due: chinaDate(20) });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  console.log(`dashboard screenshots: ${SHOTS}`);
});

test('a report ticks the milestone it meets, which turns green only once approved', async () => {
  let item = await task7();
  assert.equal(item.warning, 'red');
  assert.equal(milestoneOf(item, '首期托管').state_label, '逾期未完成');

  const page = await newPage('department');
  await open(page, '#/report/task-07', '#r-milestones');
  // Only open milestones are offered, each with its date and state.
  const offered = await page.locator('#r-milestones input[name=milestones_met]').evaluateAll((inputs) => inputs.map((i) => i.value));
  assert.deepEqual([...offered].sort(), ['冬季专项', '年度目标', '托管台账建档', '首期托管'].sort());
  await page.locator('#r-milestones label', { hasText: '首期托管' }).locator('input').check();
  await page.locator('#r-summary').fill('首期托管服务已完成，建立托管服务台账');
  await page.locator('#r-percent').fill('35');
  await shoot(page, 'milestones-report-desktop');
  await page.setViewportSize(PHONE);
  await shoot(page, 'milestones-report-phone');
  await page.setViewportSize(DESKTOP);
  await page.getByRole('button', { name: '提交报送' }).click();
  await page.locator('#page-item #milestones').waitFor();

  const events = (await server.api(tokens.taskforce, '/api/v1/tasks/7/events')).events;
  const report = events.find((e) => e.type === 'ProgressReported');
  assert.deepEqual(report.data.milestones_met, ['首期托管']);
  assert.equal(report.schema_version, 4);

  // Awaiting review it is still red, and the page says a report claims it.
  await page.locator('#milestones li[data-milestone="首期托管"] .milestone-detail', { hasText: '待审核' }).waitFor();
  assert.equal(await stateOf(page, '首期托管'), '逾期未完成');

  await post('ReportReviewed', { report_version: report.version, decision: 'approved' });
  await page.locator('#milestones li[data-milestone="首期托管"] [data-role=milestone-state]', { hasText: '已完成' }).waitFor();
  assert.match(await line(page, '首期托管').locator('.milestone-detail').innerText(), new RegExp(`由报告v${report.version}完成`));
  item = await task7();
  assert.equal(milestoneOf(item, '首期托管').met.by, 'report');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the task force marks met, moves with a reason and cancels after confirming; history is kept', async () => {
  const page = await newPage('taskforce');
  await open(page, '#/item/task/7', '#milestones li[data-milestone="年度目标"]');

  // 标记完成 the one still red.
  await line(page, '托管台账建档').locator('[data-action=milestone-met]').click();
  await line(page, '托管台账建档').locator('textarea[name=note]').fill('专班现场核查，台账已建立');
  await line(page, '托管台账建档').locator('[data-action=milestone-submit]').click();
  await line(page, '托管台账建档').locator('[data-role=milestone-state]', { hasText: '已完成' }).waitFor();
  assert.match(await line(page, '托管台账建档').locator('.milestone-detail').innerText(), /由专班完成/);

  // 调整 without a reason: the server's message beside the box, nothing stored.
  const moveTo = chinaDate(70);
  await line(page, '年度目标').locator('[data-action=milestone-move]').click();
  await line(page, '年度目标').locator('input[name=due]').fill(moveTo);
  await line(page, '年度目标').locator('[data-action=milestone-submit]').click();
  const reasonError = line(page, '年度目标').locator('[data-error-for=reason]');
  await reasonError.waitFor({ state: 'visible' });
  assert.match(await reasonError.innerText(), /须说明理由/);
  assert.equal(milestoneOf(await task7(), '年度目标').due, chinaDate(40));
  await line(page, '年度目标').locator('textarea[name=reason]').fill('受冬季寒潮影响，经县政府同意顺延');
  await line(page, '年度目标').locator('[data-action=milestone-submit]').click();
  await line(page, '年度目标').locator('[data-role=milestone-adjusted]').waitFor({ state: 'visible' });
  assert.match(await line(page, '年度目标').locator('.milestone-detail').innerText(),
    new RegExp(`已调整：${chinaDate(40)} → ${moveTo}（受冬季寒潮影响，经县政府同意顺延）`));

  // 取消 asks first; dismissing sends nothing.
  await line(page, '冬季专项').locator('[data-action=milestone-cancel]').click();
  await line(page, '冬季专项').locator('textarea[name=reason]').fill('并入年度目标，不再单列');
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  await line(page, '冬季专项').locator('[data-action=milestone-submit]').click();
  await page.waitForFunction(() => true);
  assert.match(asked, /确认取消时限“冬季专项”/);
  assert.equal(milestoneOf(await task7(), '冬季专项').cancelled, null);
  page.once('dialog', (d) => d.accept());
  await line(page, '冬季专项').locator('[data-action=milestone-submit]').click();
  await line(page, '冬季专项').locator('[data-role=milestone-state]', { hasText: '已取消' }).waitFor();

  // Nothing left red: the item's warning follows the milestones.
  const item = await task7();
  assert.notEqual(item.warning, 'red', JSON.stringify(item.warning_reasons));
  assert.equal(await page.locator('#milestones li.overdue').count(), 0);
  // A met or cancelled milestone offers no more actions.
  assert.equal(await line(page, '冬季专项').locator('[data-action=milestone-met]').count(), 0);

  // History: every change, who and when.
  const history = line(page, '年度目标').locator('details.milestone-history');
  await history.locator('summary').click();
  const entries = await history.locator('ol li').allInnerTexts();
  assert.equal(entries.length, 2);
  assert.match(entries[0], /工作专班（admin）：设定时限/);
  assert.match(entries[1], new RegExp(`调整时限 ${chinaDate(40)} → ${moveTo}：受冬季寒潮影响`));
  await line(page, '首期托管').locator('details.milestone-history summary').click();
  assert.match((await line(page, '首期托管').locator('details.milestone-history ol li').allInnerTexts()).join('\n'), /第 \d+ 版报送审核通过，时限完成/);

  await shoot(page, 'milestones-item-desktop');
  await page.emulateMedia({ media: 'print' });
  await page.pdf({ path: path.join(SHOTS, 'milestones-item-a4.pdf'), format: 'A4', printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize(PHONE);
  await shoot(page, 'milestones-item-phone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the item page is ${overflow}px wider than a 375 px phone`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
