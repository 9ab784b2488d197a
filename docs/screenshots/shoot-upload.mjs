// Takes target-excel.png and target-upload-errors.png: an agency (canlian) downloads its draft's
// Excel target sheet, a spreadsheet program (openpyxl, standing in for Excel/WPS) fills it with
// mistakes and a formula, and the upload's report is shot. Needs a fresh demo server as in
// shoot.mjs, `pip install openpyxl`, and `mkdir -p /tmp/jixiao-shots`.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
const base = 'http://127.0.0.1:8099';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const c = await b.newContext({ viewport: { width: 1280, height: 900 } });
const p = await c.newPage();
await p.goto(base + '/login'); await p.fill('#username', 'canlian'); await p.fill('#password', 'jixiao-demo');
await Promise.all([p.waitForNavigation(), p.click('button[type=submit]')]);
const r = await p.request.get(base + '/projects/718/target.xlsx');
fs.writeFileSync('/tmp/jixiao-shots/t718.xlsx', await r.body());
execFileSync('python3', ['-c', `
import openpyxl
wb = openpyxl.load_workbook('/tmp/jixiao-shots/t718.xlsx')
ws = wb['112-2020-000718']
rows = [('产出指标','数量指标','培训盲人按摩师人数','≥','很多','人','30'),
        ('产出指标','满意度','培训合格率','≥','90','%','20'),
        ('效益指标','社会效益指标','就业率','≥','=80','%','30'),
        ('满意度指标','服务对象满意度指标','学员满意度','≥','95','%','20')]
for i, row in enumerate(rows):
    for j, v in enumerate(row):
        ws.cell(row=10+i, column=1+j, value=v)
ws.cell(row=12, column=5).value = '=40*2'
ws['B7'] = '2020年培训盲人按摩师60人'
wb.save('/tmp/jixiao-shots/t718-bad.xlsx')
`]);
await p.goto(base + '/projects/718/target');
await p.click('details.excel-io summary');
await p.screenshot({ path: new URL('./target-excel.png', import.meta.url).pathname, fullPage: false });
await p.setInputFiles('#target-file', '/tmp/jixiao-shots/t718-bad.xlsx');
await Promise.all([p.waitForNavigation(), p.click('form[action$="/target/upload"] button[type=submit]')]);
await p.screenshot({ path: new URL('./target-upload-errors.png', import.meta.url).pathname, fullPage: true });
await b.close();
