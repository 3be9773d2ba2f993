/**
 * `ann2snn serve`: prints one line with http://127.0.0.1:<port>/ (--port 0: a free port), serves the
 * folder cross-origin isolated, and stops on Ctrl-C (exit 130); a folder that is not a web build says
 * to run npm run build:web (exit 1); a bad port is a usage error (exit 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ann2snn-serve-cli-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>built</title>');
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('serve --port 0: one line with the URL, the page at it, Ctrl-C stops it (130)', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? 128 + constants.signals[signal!])));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve(m[0]);
    });
    child.on('exit', () => reject(new Error(`serve exited before printing its URL: ${out}`)));
  });
  assert.equal(out.trim().split('\n').length, 1, out);
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cross-origin-embedder-policy'), 'require-corp');
  assert.match(await response.text(), /built/);
  child.kill('SIGINT');
  assert.equal(await exit, 130);
});

test('serve: a folder without a web build says to run npm run build:web (exit 1)', () => {
  for (const folder of [join(dir, 'missing'), tmpdir()]) {
    const r = cli('serve', '--port', '0', '--dir', folder);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /no web build at .*run npm run build:web/);
  }
});

test('serve: a bad --port is a usage error (exit 2)', () => {
  for (const port of ['70000', '-1', 'http']) {
    const r = cli('serve', '--port', port, '--dir', dir);
    assert.equal(r.code, 2, `${port}: ${r.err}`);
    assert.match(r.err, /--port/);
  }
});
