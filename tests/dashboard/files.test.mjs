// Browser tests of uploaded files (佐证材料) on the dashboard against a real
// `kuimen serve`: the unit picks files in the report form (each uploaded at
// once), the report cites them, and the item page lists them as links that
// open with the reader's token. Desktop (1440 px) and phone (375 px).
// Run: node --test tests/dashboard/files.test.mjs   (needs build/kuimen)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KuimenServer } from './server.mjs';
import { DESKTOP, PHONE, SHOTS, launchBrowser, newPage, open, shoot } from './browser.mjs';

const UNIT = '县农业农村委';  // leads task 7

let server;
let browser;
const tokens = {};

// Bytes that start like a file of that kind.
function fileStartingWith(magic, size) {
  const bytes = Buffer.alloc(size, 0x20);
  Buffer.from(magic, 'binary').copy(bytes);
  return bytes;
}
const PNG = fileStartingWith('\x89PNG\r\n\x1a\n\0\0\0\rIHDR', 2048);
const XLSX = fileStartingWith('PK\x03\x04\x14\0\x06\0', 4096);

before(async () => {
  server = await KuimenServer.start();
  tokens.taskforce = server.adminToken;
  tokens.department = (await server.principal('农业农村委督办联络员', 'department', UNIT)).token;
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  console.log(`dashboard screenshots: ${SHOTS}`);
});

test('a report uploads its files, cites them, and the item page lists them as links', async () => {
  const page = await newPage(browser, server.base, tokens.department);
  await open(page, '#/report/task-07', '#r-summary');
  await page.locator('#r-summary').fill('完成托管服务12万亩次，附现场照片和台账');
  await page.locator('#r-percent').fill('20');
  await page.locator('input[name=report-files]').setInputFiles([
    { name: '现场照片.png', mimeType: 'image/png', buffer: PNG },
    { name: '托管服务台账.xlsx', mimeType: 'application/octet-stream', buffer: XLSX },
  ]);
  await page.locator('.attachments li', { hasText: '托管服务台账.xlsx' }).waitFor();
  assert.equal(await page.locator('.attachments li', { hasText: '现场照片.png' }).count(), 1);

  // A type not on the allow-list is refused with the server's sentence, and nothing is cited.
  await page.locator('input[name=report-files]').setInputFiles([
    { name: '工具.exe', mimeType: 'application/octet-stream', buffer: fileStartingWith('MZ\x90', 512) },
  ]);
  await page.locator('[data-error-for=attachments]', { hasText: '只能上传' }).waitFor();
  await shoot(page, 'files-report-desktop');
  await page.setViewportSize(PHONE);
  await shoot(page, 'files-report-phone');
  await page.setViewportSize(DESKTOP);

  await page.getByRole('button', { name: '提交报送' }).click();
  await page.locator('#page-item a.attachment', { hasText: '托管服务台账.xlsx' }).waitFor();

  const events = (await server.api(tokens.taskforce, '/api/v1/tasks/7/events')).events;
  const report = events.find((e) => e.type === 'ProgressReported');
  assert.equal(report.schema_version, 4);
  assert.deepEqual(report.data.attachments.map((a) => [a.name, a.media_type]), [
    ['现场照片.png', 'image/png'],
    ['托管服务台账.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ]);

  // The spreadsheet link saves the file under its own name, with the reader's token.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#page-item a.attachment', { hasText: '托管服务台账.xlsx' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), '托管服务台账.xlsx');
  await shoot(page, 'files-item-desktop');
  await page.setViewportSize(PHONE);
  await shoot(page, 'files-item-phone');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
