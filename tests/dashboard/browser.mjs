// What every browser test file shares: Debian's chromium driven by
// playwright-core, the viewports the issue asks for (1440 px and 375 px), pages
// signed in with a token, and screenshots in one folder (build/dashboard-screenshots/,
// or KUIMEN_SCREENSHOTS). Each test file starts its own `kuimen serve` (server.mjs).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { repoRoot } from './server.mjs';

export const SHOTS = path.resolve(process.env.KUIMEN_SCREENSHOTS || path.join(repoRoot, 'build/dashboard-screenshots'));
export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 375, height: 812 };
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const TIMEOUT = 30000;

// China's calendar day `offsetDays` from today, YYYY-MM-DD.
export function chinaDate(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

// This month (China time) or one `back` months before it, YYYY-MM: reports for a later month are refused.
export function chinaMonth(back = 0) {
  const [y, m] = chinaDate().slice(0, 7).split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 - back, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export async function launchBrowser() {
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=zh-CN'] });
}

// A page in a fresh context (zh-CN, China time), signed in with `token` when
// one is given; page.errors collects the page's uncaught errors.
export async function newPage(browser, base, token, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.errors = [];
  page.on('pageerror', (e) => { page.errors.push(String(e)); });
  if (token) await login(page, base, token);
  return page;
}

export async function login(page, base, token) {
  await page.goto(base + '/');
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('header.top .nav').waitFor();
}

// Goes to a page of the dashboard (#/...) and waits for `ready` to show.
export async function open(page, hash, ready) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.locator(ready).first().waitFor();
}

export async function shoot(page, name) {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}
