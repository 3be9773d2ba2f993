/**
 * The static server of `ann2snn serve` (src/node/static-server.ts): content types, the cross-origin
 * isolation headers on every answer, HEAD, folders' index.html, and no way out of the served folder
 * (.., %-escaped .., encoded slashes, a symbolic link, NUL), only GET and HEAD.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStaticServer } from '../../src/node/static-server.js';

const dir = mkdtempSync(join(tmpdir(), 'ann2snn-serve-'));
const root = join(dir, 'web');
mkdirSync(join(root, 'sub'), { recursive: true });
writeFileSync(join(dir, 'secret.txt'), 'secret');
writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
writeFileSync(join(root, 'page.js'), 'export {};');
writeFileSync(join(root, 'loader.mjs'), 'export {};');
writeFileSync(join(root, 'style.css'), 'body {}');
writeFileSync(join(root, 'kernels.wasm'), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
writeFileSync(join(root, 'model.onnx'), new Uint8Array([1, 2, 3]));
writeFileSync(join(root, 'sub', 'index.html'), 'sub');
symlinkSync(join(dir, 'secret.txt'), join(root, 'link.txt'));
const server = await startStaticServer(root, { port: 0, host: '127.0.0.1' });

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw request: the path goes on the wire as written (fetch would normalize the dots). */
function get(path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test.after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('serve: the URL names the port; / is index.html', async () => {
  assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
  const r = await get('/');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(r.body, /<title>t<\/title>/);
});

test('serve: content types by extension (wasm, js, mjs, css; others octet-stream)', async () => {
  for (const [path, type] of [
    ['/kernels.wasm', 'application/wasm'],
    ['/page.js', 'text/javascript; charset=utf-8'],
    ['/loader.mjs', 'text/javascript; charset=utf-8'],
    ['/style.css', 'text/css; charset=utf-8'],
    ['/model.onnx', 'application/octet-stream'],
  ]) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-type'], type, path);
  }
});

test('serve: every answer is cross-origin isolated (COOP same-origin, COEP require-corp), 404s too', async () => {
  for (const path of ['/', '/kernels.wasm', '/missing.js']) {
    const r = await get(path);
    assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin', path);
    assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp', path);
  }
});

test('serve: HEAD has the length and no body; a folder serves its index.html; a missing file is a 404', async () => {
  const head = await get('/kernels.wasm', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '8');
  assert.equal(head.body, '');
  assert.equal((await get('/sub/')).body, 'sub');
  assert.equal((await get('/sub')).body, 'sub');
  assert.equal((await get('/nope.js')).status, 404);
  assert.equal((await get('/page.js/x')).status, 404);
});

test('serve: no path leaves the folder', async () => {
  for (const path of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%2fsecret.txt',
    '/sub/..%2f..%2fsecret.txt',
    '/sub/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '//../secret.txt',
    '/link.txt',
    `/${'../'.repeat(20)}etc/passwd`,
    '/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  ]) {
    const r = await get(path);
    assert.ok(r.status === 404 || r.status === 400, `${path}: status ${r.status}`);
    assert.ok(!r.body.includes('secret') && !r.body.includes('root:'), `${path} leaked: ${r.body}`);
  }
  assert.equal((await get('/page.js%00.html')).status, 400);
  assert.equal((await get('/%zz')).status, 400);
});

test('serve: read-only (only GET and HEAD)', async () => {
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const r = await get('/index.html', method);
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
});
