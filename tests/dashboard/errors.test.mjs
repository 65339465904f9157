// Issue 10 item 9 in the browser: a refused report shows the server's own
// Chinese message beside the field it names, at 1440 px and at 375 px, and
// the page translates nothing itself.
// Run: node --test tests/dashboard/errors.test.mjs   (needs build/kuimen)
// Screenshots: build/dashboard-screenshots/errors-*.png (or KUIMEN_SCREENSHOTS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KuimenServer } from './server.mjs';
import { DESKTOP as WIDE, PHONE, launchBrowser, newPage as openPage, shoot } from './browser.mjs';

const UNIT = '县农业农村委';   // leads task 7

let server;
let browser;
let department;

async function newPage(viewport) {
  return openPage(browser, server.base, department, viewport);
}

// What the API itself answers to the report the form sends.
async function refusalOf(data) {
  const response = await fetch(`${server.base}/api/v1/tasks/7/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${department}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'ProgressReported', data }),
  });
  assert.equal(response.status, 400);
  return (await response.json()).error;
}

before(async () => {
  server = await KuimenServer.start();
  department = (await server.principal('农业农村委督办联络员', 'department', UNIT)).token;
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

for (const [name, viewport] of [['wide', WIDE], ['phone', PHONE]]) {
  test(`a report without a summary shows the server's Chinese message beside the summary (${viewport.width} px)`, async () => {
    const page = await newPage(viewport);
    await page.evaluate(() => { location.hash = '#/report/task-07'; });
    await page.locator('#page-report textarea[name=summary]').waitFor();
    const period = await page.locator('#page-report [name=period]').inputValue();
    await page.locator('textarea[name=summary]').fill('   ');
    await page.locator('input[name=percent]').fill('20');
    await page.getByRole('button', { name: '提交报送' }).click();

    const shown = page.locator('[data-error-for="summary"]');
    await shown.waitFor({ state: 'visible' });
    const server_error = await refusalOf({ period, summary: '   ', percent: 20 });
    assert.equal(server_error.code, 'required');
    assert.equal(server_error.field, 'data.summary');
    assert.equal(await shown.innerText(), server_error.message, 'the page shows the server\'s message as it came');
    assert.equal(server_error.message, '进展情况不能为空');
    // Beside the field it names: in the summary's own box.
    assert.equal(await shown.evaluate((el) => el.closest('.field').querySelector('textarea').name), 'summary');
    const events = await server.api(server.adminToken, '/api/v1/tasks/7/events');
    assert.equal(events.events.length, 0, 'a refused report appends nothing');
    await shoot(page, `errors-report-summary-${name}`);
    if (viewport === PHONE) {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the report form is ${overflow}px wider than a 375 px phone`);
    }
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

test('a negative indicator value is refused beside that indicator in the server\'s words', async () => {
  const page = await newPage(WIDE);
  await page.evaluate(() => { location.hash = '#/report/task-07'; });
  await page.locator('#page-report textarea[name=summary]').waitFor();
  await page.locator('textarea[name=summary]').fill('完成托管服务');
  await page.locator('input[name=percent]').fill('20');
  await page.locator('input[name="indicator-0"]').fill('-3');
  await page.getByRole('button', { name: '提交报送' }).click();
  const shown = page.locator('[data-error-for="indicators[0]"]');
  await shown.waitFor({ state: 'visible' });
  assert.equal(await shown.innerText(), '第1项指标完成值不能小于0');
  await shoot(page, 'errors-report-indicator-wide');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
