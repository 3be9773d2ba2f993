#!/usr/bin/env node
// Writes the README's screenshot of the page (docs/web-demo.png): builds the page into a temporary
// folder, serves it with `ann2snn serve`, runs the demo in Debian's Chromium and photographs the
// finished page. Usage: node scripts/web-screenshot.mjs [--out docs/web-demo.png]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : 'docs/web-demo.png';
const tmp = mkdtempSync(join(tmpdir(), 'ann2snn-shot-'));
const cli = ['--import', 'tsx', 'src/cli/main.ts'];

const build = spawnSync(process.execPath, ['scripts/build-web.mjs', '--out', tmp], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// Its stderr is kept for a failure's message (it also says "interrupted" when stopped at the end).
const server = spawn(process.execPath, [...cli, 'serve', '--dir', tmp, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
const url = await new Promise((resolve, reject) => {
  let text = '';
  server.stdout.on('data', (chunk) => {
    text += chunk;
    const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(text);
    if (found) resolve(found[0]);
  });
  server.stderr.on('data', (chunk) => (text += chunk));
  server.on('exit', (code) => reject(new Error(`ann2snn serve exited (${code}): ${text}`)));
});
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1500 }, deviceScaleFactor: 1 });
  await page.goto(url);
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 300_000 });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== 'done') throw new Error(`the demo ended in '${state}': ${await page.textContent('#error')}`);
  await page.screenshot({ path: out }); // the first 1500 px: the controls, the model, accuracy against t, the spikes
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  server.kill();
  rmSync(tmp, { recursive: true, force: true });
}
