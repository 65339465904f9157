// Browser tests of 领导批示 on the dashboard against a real `kuimen serve`: a
// county leader (role `leader`) writes a 批示 on task 7's item page and it
// shows, set apart, with the leader's name and time; the lead unit reads it
// but has no form. Desktop (1440 px) and phone (375 px).
// Run: node --test tests/dashboard/leader.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, launchBrowser, newPage as openPage, open, shoot } from './browser.mjs';

const UNIT = '县农业农村委';  // leads task 7
const LEADER = '县委副书记 李四';
const TEXT = '请县农业农村委月底前拿出整改方案。\n专班每周跟踪督办，确保按期完成。';

let server;
let browser;
const tokens = {};

async function newPage(role, viewport = DESKTOP) {
  return openPage(browser, server.base, tokens[role], viewport);
}

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  tokens.leader = (await server.principal(LEADER, 'leader', '')).token;
  tokens.department = (await server.principal('农业农村委督办联络员', 'department', UNIT)).token;
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  console.log(`dashboard screenshots: ${SHOTS}`);
});

test('a leader writes a 批示 on the item page and it shows with the leader and the text', async () => {
  const page = await newPage('leader');
  await open(page, '#/item/task/7', '#instructions');
  assert.equal((await page.locator('#instructions .empty').innerText()).trim(), '暂无领导批示。');
  // An empty 批示 is refused on the page, nothing sent.
  await page.locator('[data-action=give-instruction]').click();
  assert.equal((await page.locator('#instructions [data-error-for=text]').innerText()).trim(), '批示内容不能为空');

  await page.locator('#instructions textarea[name=text]').fill(TEXT);
  // A file goes with it (uploaded at once, cited by the event).
  const pdf = Buffer.alloc(2048, 0x20);
  Buffer.from('%PDF-1.7\n').copy(pdf);
  await page.locator('input[name=instruction-files]').setInputFiles([
    { name: '调研报告.pdf', mimeType: 'application/pdf', buffer: pdf },
  ]);
  await page.locator('#instructions .attachments li', { hasText: '调研报告.pdf' }).waitFor();
  await page.locator('[data-action=give-instruction]').click();
  const entry = page.locator('#instructions li.instruction').first();
  await entry.waitFor();
  await entry.locator('a.attachment', { hasText: '调研报告.pdf' }).waitFor();
  assert.equal(await page.locator('#instructions form .attachments li').count(), 0, 'the picker is cleared');
  assert.match(await entry.locator('.instruction-by').innerText(), new RegExp(`^${LEADER} · \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}$`));
  // Newlines are kept as the leader wrote them.
  assert.equal(await entry.locator('.instruction-text').innerText(), TEXT);
  // Set apart from the other cards.
  const border = await page.locator('#instructions').evaluate((el) => getComputedStyle(el).borderLeftWidth);
  assert.equal(border, '4px');
  assert.deepEqual(page.errors, []);
  await shoot(page, 'leader-instruction-1440');
  await page.context().close();
});

test('the lead unit reads the 批示 on its item, without a form, on a phone', async () => {
  const page = await newPage('department', PHONE);
  await open(page, '#/item/task/7', '#instructions li.instruction');
  assert.equal(await page.locator('#instructions li.instruction .instruction-text').first().innerText(), TEXT);
  assert.equal(await page.locator('#instructions form').count(), 0);
  assert.equal(await page.locator('#instructions li.instruction a.attachment').first().innerText(), '调研报告.pdf');
  // Nothing wider than the phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page overflows by ${overflow}px`);
  assert.deepEqual(page.errors, []);
  await shoot(page, 'leader-instruction-unit-375');
  // And among its unit's 待办 on 单位视图.
  await open(page, '#/units/' + encodeURIComponent(UNIT), '#unit-instructions li.instruction');
  assert.equal(await page.locator('#unit-instructions .instruction-text').first().innerText(), TEXT);
  await shoot(page, 'leader-instruction-unit-page-375');
  await page.context().close();

  const leaderPhone = await newPage('leader', PHONE);
  await open(leaderPhone, '#/item/task/7', '#instructions form');
  await shoot(leaderPhone, 'leader-instruction-375');
  await leaderPhone.context().close();
});

test('the task force reads the 批示 too, and the API refuses it a 批示 of its own', async () => {
  const page = await newPage('taskforce');
  await open(page, '#/item/task/7', '#instructions li.instruction');
  assert.equal(await page.locator('#instructions form').count(), 0);
  assert.equal(await page.locator('#instructions li.instruction a.attachment').first().innerText(), '调研报告.pdf');
  await page.context().close();
  await assert.rejects(
    server.api(tokens.taskforce, '/api/v1/tasks/7/events', { method: 'POST', body: { type: 'InstructionGiven', data: { text: '试' } } }),
    (e) => /: 403 /.test(e.message),
  );
});
