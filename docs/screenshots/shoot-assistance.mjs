// Takes the screenshots of issue 19 (the assistance case work) from a running demo server:
//
//   jixiao --database sqlite:///tmp/shot.db serve --demo --listen 127.0.0.1:8099 &
//   node docs/screenshots/shoot-assistance.mjs http://127.0.0.1:8099   (SHOTS_DIR=… to write elsewhere)
// A monitoring case's page, the township work list with its board, the visit form on a 390-px
// phone screen, and a bound indicator in a monitoring report and on its project's page.
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = process.env.SHOTS_DIR || path.dirname(fileURLToPath(import.meta.url));
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

// The township's work list with the board, and a monitored case with its plan.
const town = await signIn('xiang');
await town.goto(`${base}/risk-cases`);
await shoot(town, 'risk-township-work-list', { fullPage: false });
await town.goto(`${base}/risk-cases?state=monitored`);
const caseLink = await town.locator('a[href^="/risk-cases/"]').first().getAttribute('href');
await town.goto(`${base}${caseLink}`);
await shoot(town, 'risk-case', { fullPage: true });

// The helper's visit form on a phone.
const helper = await signIn('bangfuren', 390, 844);
await helper.goto(`${base}/visits/new`);
await shoot(helper, 'visit-form-390', { fullPage: true });

// The bound indicators in the July monitoring report and on the project's page.
const finance = await signIn('finance');
await finance.goto(`${base}/projects?year=2020&search=${encodeURIComponent('防止返贫动态监测帮扶')}`);
const projectLink = await finance.locator('a[href^="/projects/"]', { hasText: '防止返贫' }).first().getAttribute('href');
const id = projectLink.split('/')[2];
await finance.goto(`${base}/monitoring`);
const roundLink = await finance.locator('a[href^="/monitoring/"]').first().getAttribute('href');
const round = roundLink.split('/')[2];
await finance.goto(`${base}/monitoring/${round}/reports/${id}`);
await shoot(finance, 'monitoring-bound-indicator', { fullPage: true });
await finance.goto(`${base}/projects/${id}`);
await finance.locator('#indicator-feeds').scrollIntoViewIfNeeded();
await shoot(finance, 'project-indicator-feeds');

await browser.close();
