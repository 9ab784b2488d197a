// Takes the screenshots in this folder from a running demo server (headless Chromium).
//
//   apt-get install -y chromium fonts-noto-cjk && npm install playwright-core
//   jixiao --database sqlite:///tmp/shot.db serve --demo --listen 127.0.0.1:8099 &
//   node docs/screenshots/shoot.mjs [http://127.0.0.1:8099] [name ...]
// Ids are those of a fresh demo database (the demo loads in a fixed order).
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const base = process.argv[2] && process.argv[2].startsWith('http') ? process.argv[2] : 'http://127.0.0.1:8099';
const only = process.argv.slice(2).filter((a) => !a.startsWith('http'));

// name, user, path, print media?, full page?
const shots = [
  ['dashboard-2020', 'finance', '/dashboard?year=2020', false, true],
  ['dashboard-2019', 'finance', '/dashboard?year=2019', false, true],
  ['dashboard-department', 'finance', '/dashboard?year=2020&department=112', false, true],
  ['evaluation-2019', 'finance', '/evaluation?year=2019', false, false],
  ['key-evaluations', 'finance', '/evaluations', false, false],
  ['public', null, '/public', false, false],
  ['bulletin-print', 'finance', '/evaluation/bulletin?year=2019', true, true],
  ['self-evaluation-print', 'finance', '/projects/1/self-evaluation/print', true, true],
  ['target-print', 'finance', '/projects/712/target/print', true, true],
  ['monitoring-report-print', 'finance', '/monitoring/1/reports/714/print', true, true],
  ['key-evaluation-print', 'finance', '/evaluations/1/print', true, true],
  ['audit-log', 'admin', '/admin/audit', false, false],
  ['password', 'finance', '/password', false, false],
];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const contexts = {};
async function pageFor(user) {
  if (!contexts[user]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    if (user) {
      const page = await context.newPage();
      await page.goto(`${base}/login`);
      await page.fill('#username', user);
      await page.fill('#password', 'jixiao-demo');
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      await page.close();
    }
    contexts[user] = context;
  }
  return contexts[user].newPage();
}

for (const [name, user, url, print, full] of shots) {
  if (only.length && !only.includes(name)) continue;
  const page = await pageFor(user);
  if (print) await page.emulateMedia({ media: 'print' });
  await page.goto(base + url);
  await page.screenshot({ path: path.join(here, `${name}.png`), fullPage: full });
  console.log(`${name}.png`);
  await page.close();
}
await browser.close();
