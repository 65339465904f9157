// Browser tests of the 年终考核's 计分依据 against a real `kuimen serve`
// (session 7, score basis): a unit whose 督办整改 rests on one notice answered
// on time has the full 15 points, and the page says so beside them, "据1件督办
// （依据不足）", at 1440 px and on a 375 px phone; the 批示 list and the forms'
// all-at-once checks are covered below. Run:
// node --test tests/dashboard/score-basis.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, chinaDate, launchBrowser, newPage as openPage, open, shoot } from './browser.mjs';

const UNIT = '县农业农村委';  // leads task 7

let server;
let browser;
const tokens = {};

async function newPage(role, viewport = DESKTOP) {
  return openPage(browser, server.base, tokens[role], viewport);
}

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  tokens.department = (await server.principal('农业农村委督办联络员', 'department', UNIT)).token;
  browser = await launchBrowser();
  // One notice on task 7, answered the same day: 督办整改 full, on one notice.
  await server.api(tokens.taskforce, '/api/v1/tasks/7/events', {
    method: 'POST', body: { type: 'NoticeIssued', data: { notice_id: 'DB-T07-1', reason: '托管服务进度滞后', due: chinaDate(5) } },
  });
  await server.api(tokens.department, '/api/v1/tasks/7/events', {
    method: 'POST', body: { type: 'NoticeAnswered', data: { notice_id: 'DB-T07-1', summary: '已制定整改方案，本月底前完成' } },
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  console.log(`dashboard screenshots: ${SHOTS}`);
});

// The view as the API gives it, waited for until the answer is scored.
async function assessmentUnit(unit) {
  for (;;) {
    const view = await server.api(tokens.taskforce, '/api/v1/views/assessment');
    const entry = view.rendered.units.find((u) => u.unit === unit);
    const notices = entry && entry.lines.find((l) => l.rule === 'notices');
    if (notices && notices.applicable) return entry;
    await new Promise((resolve) => setTimeout(resolve, 100));  // the projector catches up
  }
}

for (const [name, viewport] of [['1440', DESKTOP], ['375', PHONE]]) {
  test(`a full 督办整改 resting on one notice shows 据1件督办（依据不足） beside its 15 points (${name} px)`, async () => {
    const unit = await assessmentUnit(UNIT);
    const line = unit.lines.find((l) => l.rule === 'notices');
    assert.equal(line.points, 15);
    assert.deepEqual(line.basis, { count: 1, thin: true, text: '据1件督办（依据不足）' });

    const page = await newPage('taskforce', viewport);
    await open(page, '#/assessment', '#page-assessment table.assessment tbody tr');
    const row = page.locator('#page-assessment table.assessment tbody tr', { hasText: UNIT });
    const cell = row.locator('td[data-rule="notices"]');
    assert.equal((await cell.locator('.points').innerText()).trim(), '15');
    assert.equal((await cell.locator('small.basis').innerText()).trim(), '据1件督办（依据不足）');
    assert.ok(await cell.locator('small.basis').isVisible(), 'the basis is shown, not hidden');
    assert.match(await cell.getAttribute('class'), /thin-basis/);
    // The unit's own basis stands under its 综合得分, in the view's words.
    assert.equal((await row.locator('small[data-basis=unit]').innerText()).trim(), unit.basis.text);
    assert.match(unit.basis.text, /^适用\d\/5项/);
    // 不适用 lines carry no basis text; 加减分 has none.
    assert.equal(await row.locator('td[data-rule="adjustments"] small.basis').isVisible(), false);
    assert.match(await page.locator('#page-assessment .basis-rule').innerText(), /依据少于3项的标注“依据不足”/);
    // The chart's bar says it too.
    assert.ok(await page.locator('#chart-assessment svg text', { hasText: '项依据不足' }).count() > 0, 'the bar label names the thin basis');
    if (viewport === PHONE) {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the assessment is ${overflow}px wider than a 375 px phone`);
    }
    await row.scrollIntoViewIfNeeded();
    await shoot(page, `score-basis-assessment-${name}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

test('the assessment CSV puts the basis beside the score', async () => {
  const response = await fetch(`${server.base}/api/v1/exports/assessment.csv`, {
    headers: { Authorization: `Bearer ${tokens.taskforce}` },
  });
  assert.equal(response.status, 200);
  const csv = await response.text();
  const header = csv.split('\r\n')[0];
  assert.match(header, /总分,计分依据,得分说明$/);
  const row = csv.split('\r\n').find((r) => r.includes(`,${UNIT},`));
  assert.ok(row.includes('督办整改：据1件督办（依据不足）。'), row);
});

test('a report form with several mistakes shows every one beside its box at once, sending nothing', async () => {
  const page = await newPage('department');
  await open(page, '#/report/task-07', '#page-report textarea[name=summary]');
  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/events')) posts.push(r.url()); });
  await page.locator('input[name=period]').fill('');
  await page.locator('input[name="indicator-0"]').fill('-3');
  await page.getByRole('button', { name: '提交报送' }).click();
  const expect = {
    period: '报送期间不能为空',
    summary: '进展情况不能为空',
    percent: '总体进度不能为空',
    'indicators[0]': '第1项指标完成值不能小于0',
  };
  for (const [field, message] of Object.entries(expect)) {
    const shown = page.locator(`#page-report [data-error-for="${field}"]`);
    await shown.waitFor({ state: 'visible' });
    assert.equal((await shown.innerText()).trim(), message, field);
  }
  // Each beside its own box.
  assert.equal(await page.locator('[data-error-for="summary"]').evaluate((el) => el.closest('.field').querySelector('textarea').name), 'summary');
  assert.equal(await page.locator('[data-error-for="percent"]').evaluate((el) => el.closest('.field').querySelector('input').name), 'percent');
  assert.deepEqual(posts, [], 'nothing is sent while the form has a mistake');
  await shoot(page, 'score-basis-report-errors-1440');
  // Fixed, the report goes through.
  await page.locator('input[name=period]').fill(chinaDate().slice(0, 7));
  await page.locator('textarea[name=summary]').fill('完成托管服务');
  await page.locator('input[name=percent]').fill('20');
  await page.locator('input[name="indicator-0"]').fill('3');
  await page.getByRole('button', { name: '提交报送' }).click();
  await page.locator('#page-item').waitFor();
  assert.equal(posts.length, 1);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the notice form names every empty box at once', async () => {
  const page = await newPage('taskforce');
  await open(page, '#/review', '#form-notice');
  const form = page.locator('#form-notice');
  await form.locator('[name=reason]').fill('');
  await form.locator('[name=due]').fill('');
  await form.locator('button[type=submit]').click();
  for (const [field, message] of [['stream', '请选择任务'], ['reason', '督办事由不能为空'], ['due', '办理时限不能为空']]) {
    const shown = form.locator(`[data-error-for="${field}"]`);
    await shown.waitFor({ state: 'visible' });
    assert.equal((await shown.innerText()).trim(), message, field);
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
