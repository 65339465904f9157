// Browser tests of 统计 (issue 11 item 5) against a real `kuimen serve`: the
// 统计 page's table by unit, and on an item page the indicator's county figure
// by month against its target line. Screenshots at 1440 px and 375 px into
// build/dashboard-screenshots/.
// Run: node --test tests/dashboard/stats.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, chinaMonth, launchBrowser, newPage as openPage, open, shoot } from './browser.mjs';

const LEAD = '县农业农村委';  // leads task 7 (农业生产社会化服务规模, 78万亩次)

let server;
let browser;
const tokens = {};

async function report(token, task, percent, period, value) {
  const indicators = value === undefined ? [] : [{ indicator: '农业生产社会化服务规模', value, unit: '万亩次' }];
  return server.api(token, `/api/v1/tasks/${task}/events`, {
    method: 'POST',
    body: { type: 'ProgressReported', data: { period, summary: `第${task}项任务 ${period} 进展`, percent, indicators, evidence: [] } },
  });
}

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  tokens.lead = (await server.principal('农业农村委督办联络员', 'department', LEAD)).token;
  browser = await launchBrowser();
  await report(tokens.lead, 7, 20, chinaMonth(1), 30);
  await report(tokens.lead, 7, 40, chinaMonth(0), 52);
  // Only approved figures count in the county figure (session 7): the task force approves both.
  for (const version of [1, 2]) {
    await server.api(tokens.taskforce, '/api/v1/tasks/7/events', {
      method: 'POST', body: { type: 'ReportReviewed', data: { report_version: version, decision: 'approved' } },
    });
  }
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  console.log(`statistics screenshots: ${SHOTS}`);
});

async function noOverflow(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than a 375 px phone`);
}

test('the 统计 page lists every unit with its tasks, report tally and open notices', async () => {
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const page = await openPage(browser, server.base, tokens.taskforce, viewport);
    await open(page, '#/stats', '#stats-units tbody tr');
    const row = page.locator('#stats-units tbody tr', { hasText: LEAD });
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /7/, 'task 7 is among the tasks it leads');
    const units = (await server.api(tokens.taskforce, '/api/v1/stats/units')).units;
    assert.equal(await page.locator('#stats-units tbody tr').count(), units.length);
    const lead = units.find((u) => u.unit === LEAD);
    assert.match(text, new RegExp(String(lead.led_count)));
    // The counting window is stated beside the rate, in the assessment's words (session 7, item 4).
    const reply = await server.api(tokens.taskforce, '/api/v1/stats/units');
    assert.match(reply.timeliness_window.label, /^按时报送率统计自\d{4}年\d{1,2}月起/);
    assert.equal(await page.locator('#stats-window').innerText(), reply.timeliness_window.label);
    await shoot(page, `stats-units-${name}`);
    if (name === 'phone') await noOverflow(page);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('an item page draws the indicator by month against its target line', async () => {
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const page = await openPage(browser, server.base, tokens.taskforce, viewport);
    await open(page, '#/item/task/7', '#task-stats #chart-task-indicator-0 svg');
    const card = page.locator('#task-stats');
    assert.match(await card.innerText(), /目标 78 万亩次/);
    const chart = page.locator('#chart-task-indicator-0');
    // Both months' county figures and the target are drawn (echarts labels the points).
    await chart.locator('text', { hasText: '52' }).first().waitFor();
    assert.ok(await chart.locator('text', { hasText: '30' }).count() >= 1);
    const stats = await server.api(tokens.taskforce, '/api/v1/stats/tasks/7');
    const at = stats.months.indexOf(chinaMonth(1));
    assert.ok(at >= 0, 'last month is in the series');
    assert.deepEqual(stats.indicators[0].values.slice(at), [30, 52]);
    assert.equal(stats.indicators[0].target, 78);
    assert.ok(await chart.locator('text', { hasText: '目标' }).count() >= 1, 'the target line is in the legend');
    await page.locator('#task-stats #chart-task-progress svg').waitFor();
    await card.scrollIntoViewIfNeeded();
    await shoot(page, `stats-item-${name}`);
    if (name === 'phone') await noOverflow(page);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('检索 finds reports by a Chinese substring, newest first, and links to the item', async () => {
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const page = await openPage(browser, server.base, tokens.lead, viewport);
    await open(page, '#/stats', '#search-q');
    await page.locator('#search-q').fill('第7项任务');
    await page.getByRole('button', { name: '检索', exact: true }).click();
    const rows = page.locator('#search-hits tbody tr');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    assert.match(await rows.nth(0).innerText(), new RegExp(`${chinaMonth(0)} 进展`));
    assert.match(await rows.nth(0).innerText(), /报送摘要/);
    await shoot(page, `stats-search-${name}`);
    if (name === 'phone') await noOverflow(page);

    await page.locator('#search-q').fill('没有这段文字');
    await page.getByRole('button', { name: '检索', exact: true }).click();
    await page.locator('#search', { hasText: '共 0 条' }).waitFor();
    await rows.first().waitFor({ state: 'hidden' });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});
