// Browser tests of the printable documents (issue 11, item 4) against a real
// `kuimen serve`: chromium prints the 督办通知单 and the monthly 情况通报 to A4
// PDFs (into the screenshots folder); poppler's pdftotext reads each page
// back, so the title and "第 N 页 共 M 页" are checked on every printed page.
// Screenshots of both pages at 1440 px and 375 px.
// Run: node --test tests/dashboard/print.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, TIMEOUT, chinaDate, chinaMonth, launchBrowser, newPage, open, shoot } from './browser.mjs';

const UNIT = '县农业农村委';  // leads tasks 3, 4 and 7

let server;
let browser;
const tokens = {};
let noticeNumber = '';

// A page showing `route` of the API, read with the task force's token.
async function openDocument(route, viewport = DESKTOP) {
  const context = await browser.newContext({
    viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
    extraHTTPHeaders: { Authorization: `Bearer ${tokens.taskforce}` },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const response = await page.goto(server.base + route);
  assert.equal(response.status(), 200, `${route}: HTTP ${response.status()}`);
  await page.evaluate(() => document.fonts.ready);
  return page;
}

// Prints the page to an A4 PDF in the screenshots folder and reads each page's text back.
async function printPdf(page, name) {
  const file = path.join(SHOTS, `${name}.pdf`);
  await page.pdf({ path: file, format: 'A4', preferCSSPageSize: true, printBackground: true });
  const pdf = readFileSync(file);
  const pageCount = (pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) || []).length;
  const pages = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim());
  return { pageCount, pages };
}

// Every page carries the title at the top and its number at the bottom.
function assertEveryPageTitled(pages, pageCount, title) {
  assert.equal(pages.length, pageCount);
  pages.forEach((text, i) => {
    const flat = text.replace(/\s+/g, '');
    assert.ok(flat.includes(title.replace(/\s+/g, '')), `page ${i + 1} shows the title ${title}:\n${text}`);
    assert.ok(flat.includes(`第${i + 1}页共${pageCount}页`), `page ${i + 1} shows 第${i + 1}页 共${pageCount}页:\n${text}`);
  });
}

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  tokens.department = (await server.principal('张明', 'department', UNIT)).token;
  browser = await launchBrowser();
  // A notice on task 7, signed by its lead unit.
  const issued = await server.api(tokens.taskforce, '/api/v1/tasks/7/events', {
    method: 'POST',
    body: { type: 'NoticeIssued', data: { notice_id: 'DB-1', due: chinaDate(10), reason: '农业生产托管服务面积进度滞后于序时，请加快推进并报送佐证材料' } },
  });
  noticeNumber = issued.event.data.number;
  await server.api(tokens.department, '/api/v1/tasks/7/events', { method: 'POST', body: { type: 'NoticeSigned', data: { notice_id: 'DB-1' } } });
  // Every task with a milestone three days past: red items enough for a bulletin of several pages.
  for (let no = 1; no <= 29; no++) {
    await server.api(tokens.taskforce, `/api/v1/tasks/${no}/events`, {
      method: 'POST', body: { type: 'DeadlineSet', data: { milestone: '阶段目标', due: chinaDate(-3) } },
    });
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the 督办通知单 prints on one A4 page with its number, unit, due date and who signed', async () => {
  const page = await openDocument('/api/v1/tasks/7/notices/DB-1/print');
  assert.equal(await page.locator('h1').innerText(), '督办通知单');
  const body = await page.locator('body').innerText();
  for (const text of [noticeNumber, '督办事项', '责任单位', UNIT, '办理时限', '工作要求', '签收栏', '签收人：张明']) {
    assert.ok(body.includes(text), `the sheet shows ${text}`);
  }
  const { pageCount, pages } = await printPdf(page, 'print-notice-a4');
  assert.equal(pageCount, 1);
  assertEveryPageTitled(pages, pageCount, `督办通知单 ${noticeNumber}`);
  await shoot(page, 'print-notice-1440');
  await page.setViewportSize(PHONE);
  await shoot(page, 'print-notice-375');
  await page.context().close();
});

test('the monthly 情况通报 prints on A4 with the title and page numbers on every page', async () => {
  const month = chinaMonth();
  const bulletin = await server.api(tokens.taskforce, `/api/v1/bulletins/${month}`);
  assert.equal(bulletin.items.length, 29);
  assert.ok(bulletin.items.every((item) => item.warning === 'red'));
  assert.equal(bulletin.notices.length, 1);

  const page = await openDocument(`/api/v1/bulletins/${month}/print`);
  const [year, mon] = month.split('-').map(Number);
  const title = `“三位一体”改革工作情况通报（${year}年${mon}月）`;
  assert.equal(await page.locator('h1').innerText(), title);
  assert.ok((await page.locator('body').innerText()).includes('红色预警事项29项'));
  const { pageCount, pages } = await printPdf(page, 'print-bulletin-a4');
  assert.ok(pageCount >= 2, `29 red items take more than one page (${pageCount})`);
  assertEveryPageTitled(pages, pageCount, title);
  console.log(`[ figure ] ${month} bulletin: ${bulletin.items.length} red items, ${pageCount} A4 pages`);
  await shoot(page, 'print-bulletin-1440');
  await page.setViewportSize(PHONE);
  await shoot(page, 'print-bulletin-375');
  await page.context().close();
});

test('the dashboard opens both documents in a new tab, to print', async () => {
  const page = await newPage(browser, server.base, tokens.taskforce);
  await open(page, '#/item/task/7', '[data-notice="DB-1"] [data-action=print-notice]');
  const [sheet] = await Promise.all([
    page.context().waitForEvent('page'),
    page.locator('[data-notice="DB-1"] [data-action=print-notice]').click(),
  ]);
  await sheet.locator('h1').filter({ hasText: '督办通知单' }).waitFor();
  assert.ok((await sheet.locator('body').innerText()).includes(noticeNumber));
  await sheet.close();

  await open(page, '#/assessment', '[data-action=print-bulletin]');
  assert.equal(await page.locator('input[name=bulletin_month]').inputValue(), chinaMonth());
  const [bulletin] = await Promise.all([
    page.context().waitForEvent('page'),
    page.locator('[data-action=print-bulletin]').click(),
  ]);
  await bulletin.locator('h1').filter({ hasText: '情况通报' }).waitFor();
  assert.ok((await bulletin.locator('body').innerText()).includes('红色预警事项29项'));
  await shoot(page, 'print-dashboard-buttons-1440');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
