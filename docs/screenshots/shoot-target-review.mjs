// Takes the screenshots of the automatic target review (智能预审) from a running demo server
// (headless Chromium, as shoot.mjs):
//
//   jixiao --database sqlite:///tmp/shot.db serve --demo --listen 127.0.0.1:8099 &
//   node docs/screenshots/shoot-target-review.mjs http://127.0.0.1:8099
// As the health bureau (agency) it types two poor rows into a draft's grid and shoots the notes
// the live review puts beside them (nothing is saved); as finance it shoots the year's review.
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const base = process.argv[2] || 'http://127.0.0.1:8099';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });

async function signIn(user) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#username', user);
  await page.fill('#password', 'jixiao-demo');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return page;
}

async function shoot(page, name, full = true) {
  await page.screenshot({ path: path.join(here, `${name}.png`), fullPage: full });
  console.log(`${name}.png`);
}

const agency = await signIn('agency');
await agency.goto(`${base}/projects?year=2020&state=draft`);
const draft = await agency.locator('td a[href^="/projects/"]', { hasText: '公共卫生服务能力提升' }).first().getAttribute('href');
await agency.goto(`${base}${draft}/target`);
// A percentage on an idea that cannot be counted, and a rate written in adjectives.
await agency.fill('input[name=r1_name]', '维护社会稳定');
await agency.fill('input[name=r2_value]', '明显提升');
await agency.selectOption('select[name=r2_op]', '');
await agency.waitForTimeout(1500);
await shoot(agency, 'target-grid-review');

const finance = await signIn('finance');
await finance.goto(`${base}/target-review?year=2020`);
await shoot(finance, 'target-review-year');
await finance.goto(`${base}/projects?year=2020&findings=1`);
await shoot(finance, 'target-review-queue', false);
await browser.close();
