/**
 * The page in a real browser (Debian's Chromium through playwright-core): build the web bundle,
 * serve it with `ann2snn serve`, run the demo in the page, and check that every accuracy it shows
 * (t = 1 … 64, both strategies, and the ANN) is what `ann2snn demo` (`npm start`) computes for the
 * same model and images; its four downloads must read back (.snn, NIR, ONNX in ONNX Runtime, the
 * HTML report); then a corrupt ONNX file must show the message the CLI prints for it, and the stop
 * button must end a run.
 * A screenshot of the finished page goes to test-artifacts/web-demo.png.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { pct } from '../../src/report/format.js';
import { buildWeb } from '../../scripts/build-web.mjs';
import { decodeSnn } from '../../src/model/snn-codec.js';
import { readNir } from '../../src/export/nir/read-nir.js';
import { platform } from '../../src/host/platform.js';

const CHROMIUM = '/usr/bin/chromium';
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** `ann2snn …` through tsx, runnable from any directory. */
const cliArgs = ['--import', import.meta.resolve('tsx'), join(root, 'src/cli/main.ts')];

interface DemoJson {
  readonly runs: readonly {
    readonly label: string;
    readonly ann: { readonly accuracy: number };
    readonly snn: { readonly accuracyAt: readonly number[] };
  }[];
}

/** Starts `ann2snn serve --dir <dir> --port 0`; resolves with its URL once it prints it. */
function serve(dir: string): Promise<{ url: string; server: ChildProcess }> {
  const server = spawn(process.execPath, [...cliArgs, 'serve', '--dir', dir, '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolveUrl, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0];
      if (url) resolveUrl({ url, server });
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    server.on('exit', (code) => reject(new Error(`ann2snn serve exited (${code}) before printing its URL:\n${out}`)));
  });
}

/** `ann2snn demo -o <file> --force` in a child process (it runs while the page builds and runs). */
function nodeDemo(output: string): Promise<DemoJson> {
  const child = spawn(process.execPath, [...cliArgs, 'demo', '-o', output, '--force'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((done, reject) =>
    child.on('exit', (code) =>
      code === 0 ? done(JSON.parse(readFileSync(output, 'utf8')) as DemoJson) : reject(new Error(`ann2snn demo failed (${code}):\n${err}`)),
    ),
  );
}

/** Clicks the page's download button for `kind` and returns the file's name and bytes. */
async function download(page: Page, kind: string, dir: string): Promise<{ name: string; bytes: Uint8Array }> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click(`button[data-download="${kind}"]`)]);
  const path = join(dir, file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), bytes: new Uint8Array(readFileSync(path)) };
}

/** The four downloads read back: the .snn and the NIR file decode to the same net, ONNX Runtime opens the ONNX export. */
async function checkDownloads(page: Page, dir: string): Promise<void> {
  const snn = await download(page, 'snn', dir);
  assert.match(snn.name, /\.snn$/);
  const { model } = decodeSnn(snn.bytes, snn.name);
  assert.equal(model.conversion.options.strategy, 'deng-gu');
  const nir = await download(page, 'nir', dir);
  assert.match(nir.name, /\.nir$/);
  const fromNir = await readNir(nir.bytes, nir.name);
  assert.deepEqual(fromNir.graph.nodes.filter((n) => n.op === 'Spike').length, model.graph.nodes.filter((n) => n.op === 'Spike').length);
  const onnx = await download(page, 'onnx', dir);
  assert.match(onnx.name, /\.onnx$/);
  const session = await platform().ort.InferenceSession.create(onnx.bytes);
  assert.ok(session.inputNames.length > 0);
  await session.release();
  const report = await download(page, 'report', dir);
  assert.match(report.name, /\.html$/);
  assert.match(new TextDecoder().decode(report.bytes), /<html[\s\S]*deng-gu/i);
}

async function waitForState(page: Page, states: readonly string[], timeout: number): Promise<string> {
  await page.waitForFunction((s) => s.includes(document.body.dataset.state ?? ''), states, { timeout, polling: 250 });
  return page.evaluate(() => document.body.dataset.state ?? '');
}

test(
  'the page runs the demo to the accuracies of npm start, and shows the CLI message for a corrupt ONNX file',
  { skip: !existsSync(CHROMIUM) && `${CHROMIUM} absent (apt-get install chromium): the browser test does not run`, timeout: 300_000 },
  async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ann2snn-web-'));
    const web = join(tmp, 'web');
    const demo = nodeDemo(join(tmp, 'demo.json'));
    demo.catch(() => undefined); // awaited below; an early failure must not be unhandled
    await buildWeb(web);
    const { url, server } = await serve(web);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(url);
      const state = await waitForState(page, ['done', 'error'], 240_000);
      assert.equal(state, 'done', `the demo ended in '${state}': ${await page.textContent('#error')}`);
      assert.deepEqual(pageErrors, []);
      mkdirSync(join(root, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(root, 'test-artifacts/web-demo.png'), fullPage: true });

      const shown = await page.$$eval('table#accuracy td[data-t]', (cells) =>
        cells.map((c) => [`${c.getAttribute('data-strategy')}@${c.getAttribute('data-t')}`, c.textContent ?? ''] as const),
      );
      const { runs } = await demo;
      const expected = new Map<string, string>();
      ['deng-gu', 'max-norm'].forEach((strategy, k) => {
        assert.match(runs[k].label, new RegExp(`^${strategy}`));
        runs[k].snn.accuracyAt.forEach((a, i) => expected.set(`${strategy}@${i + 1}`, pct(a)));
      });
      for (let t = 1; t <= 64; t++) expected.set(`ann@${t}`, pct(runs[0].ann.accuracy));
      assert.equal(expected.size, 3 * 64);
      assert.deepEqual(new Map(shown), expected);
      await checkDownloads(page, tmp);

      // A corrupt ONNX file (the demo model cut short): the CLI's message for the same bytes, and the page still works.
      const corrupt = readFileSync(join(root, 'models/demo-mnist.onnx')).subarray(0, 1000);
      writeFileSync(join(tmp, 'corrupt.onnx'), corrupt);
      const cli = spawnSync(process.execPath, [...cliArgs, 'inspect', 'corrupt.onnx'], { cwd: tmp, encoding: 'utf8' });
      assert.equal(cli.status, 1, cli.stderr);
      const cliMessage = cli.stderr.trim().replace(/^ann2snn: error: /, '');
      await page.setInputFiles('input#onnx-file', { name: 'corrupt.onnx', mimeType: 'application/octet-stream', buffer: corrupt });
      assert.equal(await waitForState(page, ['error'], 30_000), 'error');
      assert.equal((await page.textContent('#error'))?.trim(), cliMessage);
      assert.equal(await page.getAttribute('#error', 'role'), 'alert');
      assert.equal(await page.isEnabled('button#run-demo'), true);

      // Stop mid-run: the worker ends at once and the page can start again.
      await page.click('button#run-demo');
      assert.equal(await waitForState(page, ['running'], 10_000), 'running');
      await page.waitForFunction(() => Number((document.querySelector('progress#progress') as HTMLProgressElement).value) > 0, null, {
        timeout: 60_000,
      });
      await page.click('button#stop');
      assert.equal(await waitForState(page, ['stopped'], 5_000), 'stopped');
      assert.equal(await page.isEnabled('button#run-demo'), true);
    } finally {
      await browser.close();
      server.kill();
      rmSync(tmp, { recursive: true, force: true });
    }
  },
);
