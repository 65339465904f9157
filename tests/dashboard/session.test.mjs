// Issue 11 item 6 in the browser: staff sign in once (a session cookie, no
// token in the tab), tasks are told apart in every list, the board shows
// 工作任务 and 时限 and its warning reasons as text, the phone navigation shows
// that it scrolls, the timeline shows names and 第N次报送 and pages through
// 10,000+ events, and the board prints on A4 with a title and page numbers.
// Run: node --test tests/dashboard/session.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, TIMEOUT, chinaDate, chinaMonth, launchBrowser, newPage, open, shoot } from './browser.mjs';

const LEAD = '县农业农村委';   // leads task 7
const EVENTS = 10000;          // seeded through the API
const ON_TASK_7 = 2000;        // of which on one item, for the timeline's pages
const QUIET = 29;             // a task nobody reports on
const IN_FLIGHT = 16;          // concurrent requests while seeding

let server;
let browser;
let dept;

// Sends every [token, route, body] with IN_FLIGHT requests at a time.
async function batched(requests) {
  let next = 0;
  async function worker() {
    while (next < requests.length) {
      const [token, route, body] = requests[next++];
      await server.api(token, route, { method: 'POST', body });
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

// Every page of a printed PDF carries the title and 第N页/共M页 (checked with
// poppler's pdftotext where it is installed; the PDF is kept either way).
async function assertTitledAndNumbered(file) {
  if (!existsSync('/usr/bin/pdftotext')) return;
  const { stdout } = await promisify(execFile)('/usr/bin/pdftotext', ['-layout', file, '-']);
  const pages = stdout.split('\f').filter((p) => p.trim());
  assert.ok(pages.length > 1, 'the board takes more than one page');
  pages.forEach((text, i) => {
    assert.match(text, /奉节县“三位一体”改革重点任务督办/, `page ${i + 1} has the title`);
    assert.match(text.replace(/\s/g, ''), new RegExp(`第${i + 1}页/共${pages.length}页`), `page ${i + 1} is numbered`);
  });
}

function report(n) {
  return { type: 'ProgressReported', data: { period: chinaMonth(), summary: `第${n}次托管服务进展`, percent: n % 100, indicators: [] } };
}

before(async () => {
  server = await KuimenServer.start();
  browser = await launchBrowser();
  dept = await server.principal('农业农村委联络员', 'department', LEAD);
  // Deadlines the board's 时限 column shows, three days ahead: task 29, which
  // gets no report, has a warning whose reason the board shows as text.
  for (const no of [7, QUIET]) {
    await server.api(server.adminToken, `/api/v1/tasks/${no}/events`, { method: 'POST', body: { type: 'DeadlineSet', data: { milestone: '完成托管服务签约', due: chinaDate(3) } } });
  }
  const catalog = await server.api(server.adminToken, '/api/v1/catalog');
  // The lead units of the other tasks, one liaison each, share the rest of the events.
  const leads = new Map();
  for (const t of catalog.tasks) {
    if (t.no === 7 || t.no === QUIET) continue;
    if (!leads.has(t.lead_unit)) leads.set(t.lead_unit, (await server.principal(`${t.lead_unit}联络员`, 'department', t.lead_unit)).token);
  }
  const started = Date.now();
  const requests = Array.from({ length: ON_TASK_7 }, (_, i) => [dept.token, '/api/v1/tasks/7/events', report(i + 1)]);
  const others = catalog.tasks.filter((t) => t.no !== 7 && t.no !== QUIET);
  for (let i = 0; i < EVENTS - ON_TASK_7; ++i) {
    const t = others[i % others.length];
    requests.push([leads.get(t.lead_unit), `/api/v1/tasks/${t.no}/events`, report(i + 1)]);
  }
  await batched(requests);
  console.log(`seeded ${EVENTS} events through the API in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, { timeout: 600000 });

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('signing in sets an HttpOnly session cookie and keeps no token in the page', { timeout: TIMEOUT * 4 }, async () => {
  const page = await newPage(browser, server.base, dept.token, DESKTOP);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'kuimen_session');
  assert.ok(session, 'a session cookie is set');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.ok(session.expires * 1000 - Date.now() > 11 * 3600 * 1000, 'it lasts the working day');
  const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }) + document.cookie);
  assert.ok(!stored.includes(dept.token), 'the token is not kept in storage nor readable as a cookie');
  // A new tab of the same browser is signed in without the token.
  const second = await page.context().newPage();
  await second.goto(server.base + '/');
  await second.locator('header.top .nav').waitFor();
  assert.match(await second.locator('header.top .who').innerText(), /县农业农村委/);
  // 退出 ends the session on the server too.
  await second.getByRole('button', { name: '退出' }).click();
  await second.locator('#token').waitFor();
  const after = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert.equal(after, 401);
  await page.context().close();
});

test('a write from another site with the cookie is refused', { timeout: TIMEOUT * 2 }, async () => {
  const page = await newPage(browser, server.base, dept.token, DESKTOP);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'kuimen_session');
  const reply = await fetch(`${server.base}/api/v1/tasks/7/events`, {
    method: 'POST',
    headers: { Cookie: `kuimen_session=${cookie.value}`, Origin: 'https://evil.example', 'Content-Type': 'application/json' },
    body: JSON.stringify(report(0)),
  });
  assert.equal(reply.status, 403);
  assert.equal((await reply.json()).error.code, 'origin_mismatch');
  await page.context().close();
});

test('an issued token has a copy button', { timeout: TIMEOUT * 2 }, async () => {
  const page = await newPage(browser, server.base, server.adminToken, DESKTOP);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
  await open(page, '#/admin', '#page-admin, main');
  await page.locator('input[name="name"]').first().fill('审计员甲');
  await page.locator('select[name="role"]').first().selectOption('auditor');
  await page.getByRole('button', { name: '发放' }).click();
  await page.locator('#issued').waitFor();
  const token = await page.locator('#issued pre.token').innerText();
  await page.getByRole('button', { name: '复制令牌' }).click();
  await page.getByRole('button', { name: '已复制' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
  await shoot(page, 'session-token-copy-1440');
  await page.context().close();
});

test('the board tells tasks apart, shows 工作任务, 时限 and warning reasons as text, and prints on A4', { timeout: TIMEOUT * 4 }, async () => {
  for (const [viewport, width] of [[DESKTOP, 1440], [PHONE, 375]]) {
    const page = await newPage(browser, server.base, server.adminToken, viewport);
    await open(page, '#/board', '#page-board tr[data-task="23"]');
    const rows = await page.locator('#page-board tr[data-task]').evaluateAll((trs) => trs.map((tr) => tr.innerText));
    const policy = rows.filter((r) => r.includes('加强政策支持'));
    assert.equal(policy.length, 7);
    assert.equal(new Set(policy).size, 7, 'the seven 加强政策支持 rows read differently');
    const row7 = page.locator('#page-board tr[data-task="7"]');
    assert.match(await row7.locator('td[data-label="时限"]').innerText(), /完成托管服务签约/);
    assert.ok((await row7.locator('td[data-label="工作任务"]').innerText()).length > 5);
    if (width === 1440) {
      const headers = await page.locator('#page-board thead th').allInnerTexts();
      assert.ok(headers.some((h) => h.includes('工作任务')) && headers.some((h) => h.includes('时限')));
    }
    const reasons = page.locator(`#page-board tr[data-task="${QUIET}"] small.warn-reasons`);
    assert.ok(await reasons.isVisible(), 'warning reasons show as text');
    assert.match(await reasons.innerText(), /完成托管服务签约/);
    await shoot(page, `session-board-${width}`);
    if (width === 1440) {
      await page.emulateMedia({ media: 'print' });
      await page.pdf({ path: path.join(SHOTS, 'session-board-a4.pdf'), format: 'A4', printBackground: true });
      await assertTitledAndNumbered(path.join(SHOTS, 'session-board-a4.pdf'));
      await open(page, '#/overview', '#chart-warnings svg');
      await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((c) => c.querySelector('svg')));
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
      // A4 is 210 mm wide, 186 mm within the margins: 703 CSS px.
      const widths = await page.evaluate(() => [...document.querySelectorAll('.chart')].map((c) => {
        const drawn = c.querySelector('svg, canvas');
        return { box: c.getBoundingClientRect().width, drawn: drawn ? drawn.getBoundingClientRect().width : 0 };
      }));
      assert.ok(widths.length > 0);
      for (const w of widths) {
        assert.ok(w.box <= 703 && w.drawn > 0 && w.drawn <= w.box + 1, `chart drawn ${w.drawn} px in a box of ${w.box} px`);
      }
      await page.pdf({ path: path.join(SHOTS, 'session-overview-a4.pdf'), format: 'A4', printBackground: true });
    }
    await page.context().close();
  }
});

test('the phone navigation shows that it scrolls', { timeout: TIMEOUT * 2 }, async () => {
  const page = await newPage(browser, server.base, server.adminToken, PHONE);
  const nav = page.locator('header.top .nav');
  assert.ok(await nav.evaluate((n) => n.scrollWidth > n.clientWidth), 'the navigation overflows at 375 px');
  assert.ok(await page.locator('.nav-more').isVisible(), 'an arrow shows more entries to the right');
  assert.notEqual(await nav.evaluate((n) => getComputedStyle(n).maskImage || getComputedStyle(n).webkitMaskImage), 'none', 'its edge fades');
  await shoot(page, 'session-nav-375');
  await nav.evaluate((n) => { n.scrollLeft = n.scrollWidth; });
  await page.locator('.nav-more').waitFor({ state: 'hidden' });
  await page.context().close();
});

test('the timeline of 2,000 reports shows names and 第N次报送, one page at a time', { timeout: TIMEOUT * 4 }, async () => {
  for (const [viewport, width] of [[DESKTOP, 1440], [PHONE, 375]]) {
    const page = await newPage(browser, server.base, server.adminToken, viewport);
    await open(page, '#/item/task/7', '.timeline li');
    const items = page.locator('.timeline > li');
    assert.equal(await items.count(), 50, 'one page of 50, not every event');
    const first = await items.first().innerText();
    assert.match(first, new RegExp(`第${ON_TASK_7}次报送`));
    assert.match(first, /农业农村委联络员/);
    assert.doesNotMatch(first, /p-[0-9a-f]{8}|日志位置/);
    assert.match(await page.locator('.timeline-pager').innerText(), /共 2001 条/);
    await page.getByRole('button', { name: '较早' }).click();
    await page.locator('.timeline > li').filter({ hasText: `第${ON_TASK_7 - 50}次报送` }).first().waitFor();
    await shoot(page, `session-timeline-${width}`);
    await page.context().close();
  }
});
