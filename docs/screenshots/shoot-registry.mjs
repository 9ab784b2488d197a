// Takes the registry's screenshots (帮扶对象, 一户一档, 政策落实核查, 导入试运行) from a running demo
// server with a sample national export imported (headless Chromium, as shoot.mjs).
//
//   jixiao --database sqlite:///tmp/shot.db serve --demo --listen 127.0.0.1:8099 &
//   node docs/screenshots/shoot-registry.mjs http://127.0.0.1:8099 /path/to/people.csv
// It starts a coverage check run as the county office (帮扶办, user bangfu) and shoots the run.
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const base = process.argv[2] || 'http://127.0.0.1:8099';
const file = process.argv[3];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
const page = await context.newPage();
await page.goto(`${base}/login`);
await page.fill('#username', 'bangfu');
await page.fill('#password', 'jixiao-demo');
await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);

async function shoot(name, full = true) {
  await page.screenshot({ path: path.join(here, `${name}.png`), fullPage: full });
  console.log(`${name}.png`);
}

if (file) {
  await page.goto(`${base}/households/import`);
  await page.setInputFiles('#file', file);
  await page.fill('#as_of', '2020-12-31');
  await Promise.all([page.waitForNavigation(), page.click('button[value=dry_run]')]);
  await shoot('registry-import-dry-run', false);
}

await page.goto(`${base}/households?area=371481101`);
await shoot('registry-households', false);

await page.goto(`${base}/policy-checks`);
await page.fill('#as_of', '2020-12-31');
await Promise.all([page.waitForNavigation(), page.click('form[action="/policy-checks"] button[type=submit]')]);
const run = page.url();
await shoot('policy-check-summary');
await page.goto(`${run}/findings?township=371481101`);
await shoot('policy-check-findings', false);

// The file of the first household with a standing finding.
const link = await page.locator('td a[href^="/households/"]').first().getAttribute('href');
await page.goto(base + link);
await shoot('household-file');
await page.emulateMedia({ media: 'print' });
await page.goto(`${base}${link}/print`);
await shoot('household-print');
await browser.close();
