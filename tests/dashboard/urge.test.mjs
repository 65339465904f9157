// 待办 and 催办 (issue 11 item 2, first half) in the browser: the task force
// issues a notice and sets a near milestone on task 3, sees the units that
// owe something on 催办 with a count in the navigation, urges one unit with a
// text and then 催办全部; the lead unit sees its 待办 (the urges first, then
// 签收, 整改 and the milestone) with its count in the navigation; the
// cooperating unit 县林业局 owes nothing for the lead unit's notice. Screenshots
// at 1440 px and 375 px.
// Run: node --test tests/dashboard/urge.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, chinaDate, launchBrowser, newPage as openPage, open, shoot } from './browser.mjs';

const FORESTRY = '县林业局';        // cooperates on task 3
const LEAD = '县农业农村委';        // leads task 3

let server;
let browser;
const tokens = {};

async function newPage(role, viewport = DESKTOP) {
  return openPage(browser, server.base, tokens[role], viewport);
}

async function badge(page, key) {
  const el = page.locator(`header.top .nav [data-badge="${key}"]`);
  await el.waitFor();
  return Number(await el.innerText());
}

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  tokens.forestry = (await server.principal('林业局联络员', 'department', FORESTRY)).token;
  tokens.lead = (await server.principal('农业农村委联络员', 'department', LEAD)).token;
  tokens.auditor = (await server.principal('审计员', 'auditor')).token;
  await server.api(tokens.taskforce, '/api/v1/tasks/3/events', {
    method: 'POST', body: { type: 'NoticeIssued', data: { notice_id: 'DB-1', reason: '林下经济进度滞后', due: chinaDate(10) } },
  });
  await server.api(tokens.taskforce, '/api/v1/tasks/3/events', {
    method: 'POST', body: { type: 'DeadlineSet', data: { milestone: '首批示范基地', due: chinaDate(2) } },
  });
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  console.log(`urge screenshots: ${SHOTS}`);
});

test('the task force sees who owes what, urges one unit and then all; a refusal appends nothing', async () => {
  const page = await newPage('taskforce');
  await open(page, '#/urge', '#page-urge tr[data-unit]');
  const units = await page.locator('#page-urge tr[data-unit]').evaluateAll((trs) => trs.map((tr) => tr.dataset.unit));
  assert.ok(units.includes(LEAD), units.join(','));
  // The notice is addressed to the 责任单位; a cooperating unit does not owe it.
  assert.ok(!units.includes(FORESTRY), units.join(','));
  assert.equal(await badge(page, 'urge'), units.length);
  const lead = await page.locator(`#page-urge tr[data-unit="${LEAD}"]`).innerText();
  assert.match(lead, /签收1.*整改1.*时限1/s);

  await page.locator('input[name="urge-text"]').fill('请于本周内签收并反馈整改情况');
  await page.locator(`#page-urge tr[data-unit="${LEAD}"] [data-action="urge-unit"]`).click();
  await page.locator('[data-urge-message]').filter({ hasText: `已催办${LEAD}` }).waitFor();
  await page.locator('[data-action="urge-all"]').click();
  await page.locator('[data-urge-message]').filter({ hasText: '已催办全部有待办的单位' }).waitFor();
  await shoot(page, 'urge-1440');
  assert.deepEqual(page.errors, []);
  await page.context().close();

  const phone = await newPage('taskforce', PHONE);
  await open(phone, '#/urge', '#page-urge tr[data-unit]');
  await shoot(phone, 'urge-375');
  await phone.context().close();

  const urges = (await server.api(tokens.taskforce, '/api/v1/events')).events.filter((e) => e.type === 'UrgeSent');
  assert.equal(urges.length, 2);
  assert.deepEqual(urges[0].data.units, [LEAD]);
  assert.equal(urges[1].data.all, true);
  await assert.rejects(server.api(tokens.auditor, '/api/v1/urge', { method: 'POST', body: { unit: FORESTRY } }),
    /403.*auditor_read_only/);
  await assert.rejects(server.api(tokens.forestry, '/api/v1/urge', { method: 'POST', body: { unit: LEAD } }),
    /403.*taskforce_only/);
  const after = (await server.api(tokens.taskforce, '/api/v1/events')).events.filter((e) => e.type === 'UrgeSent');
  assert.equal(after.length, 2, 'a refused urge appends nothing');
});

test('the unit sees its 待办, urges latest first, with its count in the navigation', async () => {
  for (const [viewport, name] of [[DESKTOP, 'todo-1440'], [PHONE, 'todo-375']]) {
    const page = await newPage('lead', viewport);
    await open(page, '#/todo', '#page-todo tr[data-kind]');
    const kinds = await page.locator('#page-todo tr[data-kind]').evaluateAll((trs) => trs.map((tr) => tr.dataset.kind));
    assert.deepEqual(kinds.slice(0, 2), ['urge', 'urge']);
    assert.deepEqual(kinds.slice(2).sort(), ['milestone', 'notice_answer', 'notice_sign']);
    assert.equal(await badge(page, 'todo'), 5);
    const first = await page.locator('#page-todo tr[data-kind="urge"]').nth(1).innerText();
    assert.match(first, /请于本周内签收并反馈整改情况/);
    assert.match(await page.locator('[data-counts]').innerText(), /共5项/);
    await shoot(page, name);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});
