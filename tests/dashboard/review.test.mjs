// Browser tests of 审核督办's review queue (issue 10 item 8) against a real
// `kuimen serve`: a superseded revision leaves the queue and shows as 已被替代
// when that state is filtered; filters and paging; checkboxes + 批量通过 with
// one comment. Screenshots at 1440 px and 375 px into build/dashboard-screenshots/.
// Run: node --test tests/dashboard/review.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, chinaMonth, launchBrowser, newPage as openPage, open, shoot } from './browser.mjs';

const LEAD = '县农业农村委';     // leads tasks 3, 4, 7, 13, 23, 25, 26, 29
const FORESTRY = '县林业局';     // cooperates on task 3

let server;
let browser;
const tokens = {};

async function report(token, task, percent, period = chinaMonth()) {
  const reply = await server.api(token, `/api/v1/tasks/${task}/events`, {
    method: 'POST',
    body: { type: 'ProgressReported', data: { period, summary: `第${task}项任务 ${period} 进展 ${percent}%`, percent, indicators: [], evidence: [] } },
  });
  return reply.event;
}

async function newPage(viewport = DESKTOP) {
  return openPage(browser, server.base, tokens.taskforce, viewport);
}

async function openQueue(page, ready) {
  await open(page, '#/review', ready);
}

const row = (stream, version) => `#page-review article.pending[data-stream="${stream}"][data-version="${version}"]`;

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  tokens.lead = (await server.principal('农业农村委督办联络员', 'department', LEAD)).token;
  tokens.forestry = (await server.principal('林业局督办联络员', 'department', FORESTRY)).token;
  browser = await launchBrowser();
  // Task 7: the lead revises this month's report (v1 is superseded by v2).
  await report(tokens.lead, 7, 30);
  await report(tokens.lead, 7, 35);
  // Task 3: the lead and a cooperating unit report the same month; neither supersedes the other.
  await report(tokens.lead, 3, 20);
  await report(tokens.forestry, 3, 5);
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  console.log(`review queue screenshots: ${SHOTS}`);
});

test('a superseded revision leaves the queue and shows as 已被替代 when that state is filtered', async () => {
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const page = await newPage(viewport);
    await openQueue(page, row('task-07', 2));
    assert.equal(await page.locator(row('task-07', 1)).count(), 0, 'the superseded revision waits for no review');
    assert.equal(await page.locator('#page-review #review-queue article.pending').count(), 3);
    await shoot(page, `review-queue-${name}`);

    await page.locator('#review-queue select[name=state]').selectOption('superseded');
    const superseded = page.locator(row('task-07', 1));
    await superseded.waitFor();
    assert.match(await superseded.innerText(), /已被替代/);
    assert.match(await superseded.innerText(), /第 2 版报送替代/);
    assert.equal(await superseded.getByRole('button', { name: '通过' }).count(), 0);
    assert.equal(await page.locator('#review-queue article.pending').count(), 1);
    await shoot(page, `review-queue-superseded-${name}`);
    if (name === 'phone') {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the review queue is ${overflow}px wider than a 375 px phone`);
    }
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('the queue filters by unit and task', async () => {
  const page = await newPage();
  await openQueue(page, row('task-03', 1));
  await page.locator('#review-queue select[name=task]').selectOption('task-03');
  await page.waitForFunction(() => document.querySelectorAll('#review-queue article.pending').length === 2);
  await page.locator('#review-queue input[name=unit]').fill(FORESTRY);
  await page.locator('#review-queue button[type=submit]').click();
  await page.waitForFunction(() => document.querySelectorAll('#review-queue article.pending').length === 1);
  assert.match(await page.locator('#review-queue article.pending').innerText(), new RegExp(FORESTRY));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('checked reports are approved together with one comment', async () => {
  const page = await newPage();
  await openQueue(page, row('task-07', 2));
  await page.locator(`${row('task-07', 2)} input[name=select]`).check();
  await page.locator(`${row('task-03', 2)} input[name=select]`).check();
  await page.locator('#review-queue input[name=batch-comment]').fill('同意，请继续推进');
  const approve = page.locator('#review-queue [data-action=approve-selected]');
  assert.equal(await approve.innerText(), '批量通过（2）');
  await shoot(page, 'review-queue-batch-desktop');
  await approve.click();
  await page.locator(row('task-07', 2)).waitFor({ state: 'detached' });
  await page.locator(row('task-03', 2)).waitFor({ state: 'detached' });
  assert.equal(await page.locator('#review-queue article.pending').count(), 1);

  const approved = await server.api(tokens.taskforce, '/api/v1/reviews?state=approved');
  assert.equal(approved.total, 2);
  for (const item of approved.items) assert.equal(item.comment, '同意，请继续推进');

  // Approved reports show with their comment when that state is filtered.
  await page.locator('#review-queue select[name=state]').selectOption('approved');
  await page.locator(row('task-07', 2)).waitFor();
  assert.match(await page.locator(row('task-07', 2)).innerText(), /已通过于 .*意见：同意，请继续推进/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the queue pages twenty reports at a time', async () => {
  // Eight tasks led by the unit, three months each: 24 more pending reports.
  for (const task of [3, 4, 7, 13, 23, 25, 26, 29]) {
    for (const back of [1, 2, 3]) await report(tokens.lead, task, 10 + back, chinaMonth(back));
  }
  const page = await newPage();
  await openQueue(page, '#review-queue nav.pager');
  const total = (await server.api(tokens.taskforce, '/api/v1/reviews')).total;
  assert.equal(total, 25);
  assert.equal(await page.locator('#review-queue article.pending').count(), 20);
  assert.match(await page.locator('#review-queue nav.pager').innerText(), /第 1 \/ 2 页，共 25 份/);
  await page.locator('#review-queue [data-action=next-page]').click();
  await page.waitForFunction(() => document.querySelectorAll('#review-queue article.pending').length === 5);
  assert.match(await page.locator('#review-queue nav.pager').innerText(), /第 2 \/ 2 页/);
  await shoot(page, 'review-queue-page2-desktop');
  await page.setViewportSize(PHONE);
  await shoot(page, 'review-queue-page2-phone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the review queue is ${overflow}px wider than a 375 px phone`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
