// Takes the screenshots of issue 20 (daily use) from a running demo server (headless Chromium):
//
//   jixiao --database sqlite:///tmp/shot.db serve --demo --listen 127.0.0.1:8099 &
//   node docs/screenshots/shoot-daily-use.mjs http://127.0.0.1:8099
// The administrator's grouped menu at 1366, 1920 and 390 px (a group opened), finance's
// dashboard with its stated basis and business date, and the expert's task page.
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const base = process.argv[2] || 'http://127.0.0.1:8099';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });

async function signIn(user, width = 1366, height = 900) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#username', user);
  await page.fill('#password', 'jixiao-demo');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return page;
}

async function shoot(page, name, options = {}) {
  await page.screenshot({ path: path.join(here, `${name}.png`), ...options });
  console.log(`${name}.png`);
}

for (const [width, name] of [[1366, 'menu-1366'], [1920, 'menu-1920'], [390, 'menu-390']]) {
  const admin = await signIn('finance', width, 700);
  const height = await admin.evaluate(() => document.querySelector('header.top').getBoundingClientRect().height);
  console.log(`header height at ${width}px: ${height}px`);
  await admin.click('header.top details.menu >> nth=0');
  await shoot(admin, name, { clip: { x: 0, y: 0, width, height: Math.min(700, height + 260) } });
}
const admin = await signIn('admin', 1366, 700);
const adminHeight = await admin.evaluate(() => document.querySelector('header.top').getBoundingClientRect().height);
console.log(`admin header height at 1366px: ${adminHeight}px`);
await admin.click('header.top details.menu >> text=管理');
await shoot(admin, 'menu-admin-1366', { clip: { x: 0, y: 0, width: 1366, height: 420 } });

const finance = await signIn('finance');
await finance.goto(`${base}/dashboard`);
await shoot(finance, 'dashboard-basis', { clip: { x: 0, y: 0, width: 1366, height: 560 } });

const expert = await signIn('expert');
await expert.goto(`${base}/assignments`);
const task = await expert.locator('a[href^="/assignments/"]').first().getAttribute('href');
await expert.goto(`${base}${task}`);
await shoot(expert, 'expert-task', { fullPage: true });
await browser.close();
