// Browser tests of the supervision dashboard (gateway/web/) against a real
// `kuimen serve`, driven through Debian's chromium with playwright-core.
// Run: node --test tests/dashboard/dashboard.test.mjs   (needs build/kuimen)
// Screenshots of every page, desktop and 375 px wide, and an A4 PDF of the
// board are written to build/dashboard-screenshots/ (or KUIMEN_SCREENSHOTS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, chinaDate, launchBrowser, login as signIn, newPage as openPage, open, shoot } from './browser.mjs';

const UNIT = '县农业农村委';   // leads tasks 3, 4, 7, 13, 23, 25, 26, 29

let server;
let browser;
const tokens = {};

async function newPage(role, viewport = DESKTOP) {
  return openPage(browser, server.base, role ? tokens[role] : null, viewport);
}

async function login(page, token) {
  await signIn(page, server.base, token);
}

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  tokens.department = (await server.principal('农业农村委督办联络员', 'department', UNIT)).token;
  tokens.auditor = (await server.principal('县审计局', 'auditor')).token;
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  console.log(`dashboard screenshots: ${SHOTS}`);
});

test('login refuses an unknown token and shows why', async () => {
  const page = await newPage(null);
  await page.goto(server.base + '/');
  await page.locator('#token').fill('kmt_not-a-real-token');
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('[data-error-for="token"]').waitFor({ state: 'visible' });
  assert.match(await page.locator('[data-error-for="token"]').innerText(), /令牌无效/);
  await shoot(page, 'login-desktop');
  await page.setViewportSize(PHONE);
  await shoot(page, 'login-phone');
  await page.context().close();
});

test('each role sees its own pages', async () => {
  const expected = {
    taskforce: ['overview', 'board', 'units', 'urge', 'review', 'assessment', 'stats', 'audit', 'admin'],
    department: ['overview', 'board', 'units', 'report', 'todo', 'assessment', 'stats'],
    auditor: ['overview', 'board', 'units', 'assessment', 'stats', 'audit'],
  };
  for (const [role, pages] of Object.entries(expected)) {
    const page = await newPage(role);
    const nav = await page.locator('header.top .nav a').evaluateAll((as) => as.map((a) => a.dataset.nav));
    assert.deepEqual(nav, pages, role);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('the board lists the 29 tasks, filters by unit and opens a task', async () => {
  const page = await newPage('taskforce');
  await open(page, '#/board', 'table.board tbody tr');
  assert.equal(await page.locator('table.board tbody tr').count(), 29);

  await page.locator('select[name=unit]').selectOption(UNIT);
  const view = await server.api(tokens.taskforce, '/api/v1/views/supervision');
  const involved = view.rendered.tasks.filter((t) => t.lead_unit === UNIT || t.cooperating_units.includes(UNIT));
  await page.waitForFunction((n) => document.querySelectorAll('table.board tbody tr').length === n, involved.length);
  const shown = await page.locator('table.board tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.dataset.task)));
  assert.deepEqual(shown, involved.map((t) => t.no));

  // 序号 again sorts descending; then task 7 opens with a click on its row.
  await page.locator('th', { hasText: '序号' }).click();
  const last = String(Math.max(...involved.map((t) => t.no)));
  await page.waitForFunction((no) => document.querySelector('table.board tbody tr')?.dataset.task === no, last);
  // Only the tasks it leads (责任单位).
  await page.locator('select[name=role]').selectOption('lead');
  const led = involved.filter((t) => t.lead_unit === UNIT).map((t) => t.no);
  await page.waitForFunction((n) => document.querySelectorAll('table.board tbody tr').length === n, led.length);
  await page.locator('table.board tbody tr[data-task="7"]').click();
  await page.locator('#page-item h2').waitFor();
  assert.match(await page.locator('#page-item h2').innerText(), /任务 7：创新农业生产服务方式和手段/);
  assert.match(await page.locator('#page-item').innerText(), /农业生产社会化服务规模达到78万亩次/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a department reports: a bad percent is shown beside the field, a good report appears on the task', async () => {
  const page = await newPage('department');
  await open(page, '#/report/task-07', '#page-report select[name=stream]');
  assert.equal(await page.locator('select[name=stream]').inputValue(), 'task-07');
  await page.locator('textarea[name=summary]').fill('完成托管服务12万亩次，推广菜单式服务。');
  await page.locator('input[name=percent]').fill('140');
  await page.locator('input[name="indicator-0"]').fill('12');
  await page.getByRole('button', { name: '提交报送' }).click();
  const error = page.locator('[data-error-for="percent"]');
  await error.waitFor({ state: 'visible' });
  assert.equal(await error.innerText(), '总体进度应为0到100之间的数');
  // The error sits in the percent field's own box.
  assert.equal(await error.evaluate((el) => el.closest('.field').querySelector('input').name), 'percent');
  assert.equal((await server.api(tokens.taskforce, '/api/v1/tasks/7/events')).events.length, 0, 'a refused report appends nothing');
  await shoot(page, 'report-error-desktop');

  await page.locator('input[name=percent]').fill('15');
  await page.getByRole('button', { name: '提交报送' }).click();
  await page.locator('#page-item .timeline li').first().waitFor();
  const newest = page.locator('#page-item .timeline li').first();
  assert.match(await newest.innerText(), /进展报送[\s\S]*完成托管服务12万亩次/);
  assert.match(await newest.innerText(), /农业生产社会化服务规模：12 万亩次/);
  await page.locator('#page-item .chip', { hasText: '待审核' }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a department cannot report on a task its unit is not involved in', async () => {
  const page = await newPage('department');
  await open(page, '#/report', '#page-report select[name=stream]');
  const options = await page.locator('select[name=stream] option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(options.includes('task-07') && !options.includes('task-09'), options.join(','));
  await page.context().close();
});

test('the task force reviews the report, issues a notice and sets a deadline', async () => {
  const page = await newPage('taskforce');
  await open(page, '#/review', '#page-review .pending[data-stream="task-07"]');
  const report = page.locator('#page-review .pending[data-stream="task-07"]');
  await report.getByRole('button', { name: '通过' }).click();
  await report.waitFor({ state: 'detached' });

  const notice = page.locator('#form-notice');
  await notice.locator('select[name=stream]').selectOption('task-03');
  await notice.locator('input[name=notice_id]').fill('DB-T03-1');
  await notice.locator('textarea[name=reason]').fill('示范社创建进度滞后，请说明原因并提出整改措施');
  await notice.locator('input[name=due]').fill(chinaDate(3));
  await notice.getByRole('button', { name: '下发督办' }).click();
  await page.locator('#page-review .pending', { hasText: 'DB-T03-1' }).waitFor();

  const deadline = page.locator('#form-deadline');
  await deadline.locator('select[name=stream]').selectOption('task-04');
  await deadline.locator('input[name=milestone]').fill('完成年度建设任务');
  await deadline.locator('input[name=due]').fill(chinaDate(10));
  await deadline.getByRole('button', { name: '设定时限' }).click();
  await page.locator('.banner.ok', { hasText: '完成年度建设任务' }).waitFor();

  const events = (await server.api(tokens.taskforce, '/api/v1/tasks/7/events')).events;
  assert.deepEqual(events.map((e) => e.type), ['ProgressReported', 'ReportReviewed']);
  assert.equal(events[1].data.decision, 'approved');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the unit signs for a notice; 销号 shows the answer, and closing unanswered needs a reason and a confirmation', async () => {
  // A second notice, answered, beside the unanswered DB-T03-1 of the test before.
  await server.api(tokens.taskforce, '/api/v1/tasks/4/events', {
    method: 'POST', body: { type: 'NoticeIssued', data: { notice_id: 'DB-T04-1', reason: '建设进度滞后', due: chinaDate(5) } },
  });
  await server.api(tokens.department, '/api/v1/tasks/4/events', {
    method: 'POST', body: { type: 'NoticeAnswered', data: { notice_id: 'DB-T04-1', summary: '已完成3个示范点建设，剩余2个本月底完成' } },
  });

  const unit = await newPage('department');
  await open(unit, '#/item/task/3', '#page-item li[data-notice="DB-T03-1"]');
  const line = unit.locator('#page-item li[data-notice="DB-T03-1"]');
  assert.match(await line.innerText(), /奉三位一体督〔\d{4}〕\d+号/);
  assert.match(await line.locator('small.sign').innerText(), /待签收/);
  await line.locator('[data-action=sign]').click();
  await unit.waitForFunction(() => /已于.*签收/.test(document.querySelector('#page-item li[data-notice="DB-T03-1"] small.sign')?.textContent || ''));
  assert.equal(await line.locator('[data-action=sign]').count(), 0, 'signed once, the button goes');
  await shoot(unit, 'notice-signed-desktop');
  assert.deepEqual(unit.errors, []);
  await unit.context().close();

  // The phone first: the desktop pass closes both notices.
  for (const [viewportName, viewport] of [['phone', PHONE], ['desktop', { width: 1440, height: 900 }]]) {
    const page = await newPage('taskforce', viewport);
    await open(page, '#/review', '#page-review article.notice[data-notice="DB-T04-1"]');
    const answered = page.locator('#page-review article.notice[data-notice="DB-T04-1"]');
    assert.match(await answered.locator('.answer').innerText(), /已完成3个示范点建设/);
    assert.equal(await answered.locator('[data-action=close]').innerText(), '销号');
    const unanswered = page.locator('#page-review article.notice[data-notice="DB-T03-1"]');
    assert.match(await unanswered.locator('.answer').innerText(), /单位尚未答复/);
    assert.match(await unanswered.innerText(), /签收/);
    assert.equal(await unanswered.locator('[data-action=close]').innerText(), '未整改销号');
    await shoot(page, `notice-close-${viewportName}`);
    if (viewportName === 'phone') {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the review page is ${overflow}px wider than a 375 px phone`);
      await page.context().close();
      continue;
    }
    // Without a reason nothing is sent.
    await unanswered.locator('[data-action=close]').click();
    await unanswered.locator('.error', { hasText: '须填写理由' }).waitFor();
    // With a reason the page asks first; dismissing sends nothing.
    await unanswered.locator('input[name=unanswered_reason]').fill('单位逾期未反馈，按未整改销号处理');
    let asked = '';
    page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
    await unanswered.locator('[data-action=close]').click();
    await page.waitForFunction(() => true);
    assert.match(asked, /未整改销号/);
    let events = (await server.api(tokens.taskforce, '/api/v1/tasks/3/events')).events;
    assert.ok(!events.some((e) => e.type === 'NoticeClosed'), 'a dismissed confirmation sends nothing');
    page.once('dialog', (d) => d.accept());
    await unanswered.locator('[data-action=close]').click();
    await unanswered.waitFor({ state: 'detached' });
    events = (await server.api(tokens.taskforce, '/api/v1/tasks/3/events')).events;
    const closed = events.find((e) => e.type === 'NoticeClosed');
    assert.equal(closed.data.unanswered_reason, '单位逾期未反馈，按未整改销号处理');
    assert.equal(closed.schema_version, 2);
    assert.deepEqual(events.map((e) => e.type).filter((t) => t.startsWith('Notice')), ['NoticeIssued', 'NoticeSigned', 'NoticeClosed']);
    // The answered one closes with one click and no reason.
    await answered.locator('[data-action=close]').click();
    await answered.waitFor({ state: 'detached' });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('the board refreshes by itself when events are projected', async () => {
  const page = await newPage('taskforce');
  await open(page, '#/board', 'table.board tbody tr[data-task="13"]');
  const status = page.locator('table.board tbody tr[data-task="13"] .chip');
  assert.equal(await status.innerText(), '未启动');
  await server.api(tokens.department, '/api/v1/tasks/13/events', {
    method: 'POST', body: { type: 'ProgressReported', data: { period: chinaDate().slice(0, 7), summary: '制定工作方案', percent: 10 } },
  });
  await page.waitForFunction(() => document.querySelector('table.board tbody tr[data-task="13"] .chip')?.textContent === '待审核', null, { timeout: 20000 });
  await page.context().close();
});

test('the overview charts 报送次数 by month as the supervision view counts them', async () => {
  const page = await newPage('taskforce');
  await open(page, '#/overview', '#chart-reports svg');
  const view = await server.api(tokens.taskforce, '/api/v1/views/supervision');
  const counts = view.rendered ? view.rendered.reports_by_period : view.reports_by_period;
  const months = Object.keys(counts).sort();
  assert.ok(months.length > 0, 'reports were sent by the tests before this one');
  const drawn = await page.waitForFunction((expected) => {
    const chart = window.echarts.getInstanceByDom(document.getElementById('chart-reports'));
    const option = chart && chart.getOption();
    if (!option) return null;
    const got = { months: option.xAxis[0].data, bars: option.series[0].data };
    return JSON.stringify(got) === JSON.stringify(expected) ? got : null;
  }, { months, bars: months.map((m) => counts[m]) }, { timeout: 20000 });
  assert.ok(await drawn.jsonValue());
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('day one has no false 未报送 warning, and a late report is shown as 补报 on the board, the item and the review queue', async () => {
  // The store was created today: supervision starts this month, nothing is overdue yet.
  const view = await server.api(tokens.taskforce, '/api/v1/views/supervision');
  assert.equal(view.rendered.supervision_start, chinaDate().slice(0, 7));
  for (const t of view.rendered.tasks) {
    assert.ok(!t.warning_reasons.some((r) => /天未报送进度|起未报送进度/.test(r)), `task ${t.no}: ${t.warning_reasons.join('；')}`);
  }
  // A report for two months ago, recorded today: after its due day, so 补报.
  const [y, m] = chinaDate().slice(0, 7).split('-').map(Number);
  const back = new Date(Date.UTC(y, m - 3, 1));
  const period = `${back.getUTCFullYear()}-${String(back.getUTCMonth() + 1).padStart(2, '0')}`;
  await server.api(tokens.department, '/api/v1/tasks/23/events', {
    method: 'POST', body: { type: 'ProgressReported', data: { period, summary: '补报两个月前的进展', percent: 5 } },
  });
  const page = await newPage('taskforce');
  await open(page, '#/board', 'table.board tbody tr[data-task="23"]');
  await page.waitForFunction(() => /补报/.test(document.querySelector('table.board tbody tr[data-task="23"]')?.textContent || ''), null, { timeout: 20000 });
  assert.doesNotMatch(await page.locator('#page-board').innerText(), /\d+天未报送进度/);
  await open(page, '#/item/task/23', '#page-item .timeline li');
  await page.locator('#page-item .timeline .chip.late', { hasText: '补报' }).first().waitFor();
  await open(page, '#/review', '#page-review .pending[data-stream="task-23"]');
  await page.locator('#page-review .pending[data-stream="task-23"] .chip.late', { hasText: '补报' }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an auditor verifies the chain and replays the board as of an earlier day', async () => {
  const page = await newPage('auditor');
  await open(page, '#/audit', '#page-audit');
  await page.locator('[data-action=verify]').click();
  await page.locator('#verify-result.ok').waitFor();
  assert.match(await page.locator('#verify-result').innerText(), /哈希链完整/);
  await page.locator('[data-action=digest]').click();
  await page.locator('#digest').waitFor();
  assert.match(await page.locator('#digest').innerText(), /"algorithm": "Ed25519"/);

  // Yesterday nothing had been reported; today task 7 has its approved report.
  await page.locator('input[name=as_of]').fill(chinaDate(-1));
  await page.locator('#as-of-result tr[data-task="7"]').waitFor();
  assert.match(await page.locator('#as-of-result tr[data-task="7"]').innerText(), /未启动/);
  await page.locator('input[name=as_of]').fill(chinaDate());
  await page.waitForFunction(() => /推进中/.test(document.querySelector('#as-of-result tr[data-task="7"]')?.innerText || ''));
  assert.match(await page.locator('#as-of-result tr[data-task="7"]').innerText(), /15%/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the assessment shows a bar chart and downloads the xlsx with the token', async () => {
  const page = await newPage('department');
  await open(page, '#/assessment', '#page-assessment table.assessment tbody tr');
  assert.ok(await page.locator('#chart-assessment svg').count() > 0, 'the bar chart is drawn');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-download=xlsx]').click()]);
  assert.match(download.suggestedFilename(), /考核台账\.xlsx$/);
  const file = path.join(SHOTS, download.suggestedFilename());
  await download.saveAs(file);
  const bytes = await readFile(file);
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an xlsx is a zip');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-download=csv]').click()]);
  assert.match(csv.suggestedFilename(), /\.csv$/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('screenshots of every page, desktop and phone width, and the board printed on A4', async () => {
  const pages = [
    ['taskforce', 'overview', '#/overview', '#chart-reports svg'],
    ['taskforce', 'board', '#/board', 'table.board tbody tr'],
    ['taskforce', 'task', '#/item/task/7', '#page-item .timeline li'],
    ['taskforce', 'major', '#/item/major/1', '#page-item h2:has-text("四个重大")'],
    ['department', 'units', `#/units/${encodeURIComponent(UNIT)}`, '#page-units .unit-title'],
    ['department', 'report', '#/report/task-03', '#page-report textarea[name=summary]'],
    ['taskforce', 'review', '#/review', '#page-review .pending'],
    ['taskforce', 'assessment', '#/assessment', '#chart-assessment svg'],
    ['auditor', 'audit', '#/audit', '#page-audit'],
    ['taskforce', 'admin', '#/admin', '#page-admin tbody tr'],
  ];
  for (const [viewportName, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const sessions = {};
    for (const [role, name, hash, ready] of pages) {
      if (!sessions[role]) sessions[role] = await newPage(role, viewport);
      const page = sessions[role];
      await open(page, hash, ready);
      if (name === 'audit') {
        await page.locator('[data-action=verify]').click();
        await page.locator('#verify-result').waitFor();
        await page.locator('input[name=as_of]').fill(chinaDate(-1));
        await page.locator('#as-of-result tbody tr').first().waitFor();
      }
      await shoot(page, `${name}-${viewportName}`);
      if (viewportName === 'phone') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `${name} is ${overflow}px wider than a 375 px phone`);
      }
    }
    for (const page of Object.values(sessions)) {
      assert.deepEqual(page.errors, []);
      if (viewportName === 'desktop' && page === sessions.taskforce) {
        await open(page, '#/board', 'table.board tbody tr');
        await page.emulateMedia({ media: 'print' });
        await page.pdf({ path: path.join(SHOTS, 'board-a4.pdf'), format: 'A4', printBackground: true });
        await shoot(page, 'board-print');
        assert.equal(await page.locator('header.top').isVisible(), false, 'print hides the navigation');
        await page.emulateMedia({ media: 'screen' });
      }
      await page.context().close();
    }
  }
});
