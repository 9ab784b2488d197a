// Takes the screenshots of issue 21 (the province) from a running demo server:
//
//   jixiao --database sqlite:///tmp/shot.db serve --demo --province --listen 127.0.0.1:8099 &
//   node docs/screenshots/shoot-province.mjs http://127.0.0.1:8099   (SHOTS_DIR=… to write elsewhere)
// The province's dashboard (a row per city), 德州市's (a row per county) opened from it, and a
// county's departments opened from that, as the province's finance user sees them.
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = process.env.SHOTS_DIR || path.dirname(fileURLToPath(import.meta.url));
const base = process.argv[2] || 'http://127.0.0.1:8099';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
const page = await context.newPage();
await page.goto(`${base}/login`);
await page.fill('#username', 'sheng');
await page.fill('#password', 'jixiao-demo');
await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);

async function shoot(name) {
  await page.screenshot({ path: path.join(here, `${name}.png`), fullPage: true });
  console.log(`${name}.png`);
}

await page.goto(`${base}/dashboard?year=2020`);
await shoot('province-dashboard');
await page.click('#agencies a:has-text("德州市")');
await page.waitForLoadState();
await shoot('province-city-dashboard');
await page.click('#agencies a:has-text("禹城市")');
await page.waitForLoadState();
await shoot('province-county-dashboard');
await browser.close();
