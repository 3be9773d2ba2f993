/**
 * A read-only static file server for the web build (`ann2snn serve`): GET and HEAD of the files under
 * one folder, nothing else.
 * - Every answer carries Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
 *   require-corp, which make the page cross-origin isolated: onnxruntime-web then has
 *   SharedArrayBuffer, and so its threads.
 * - A request path never leaves the folder: it is decoded, normalized, resolved under the folder and
 *   then resolved again through symbolic links (realpath); anything outside, a NUL byte or a bad
 *   %-escape is a 404 or a 400, never a read.
 * - A folder serves its index.html; a missing file is a 404; other methods are a 405.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';

/** Content types by extension; anything else is application/octet-stream. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/** Headers on every answer (cross-origin isolation, no sniffing, no stale builds). */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

export interface StaticServer {
  /** http://<host>:<port>/ */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `folder` on host:port (port 0: a free one); resolves once it listens. */
export async function startStaticServer(folder: string, options: { port: number; host: string }): Promise<StaticServer> {
  const root = await realpath(resolve(folder));
  const server = createServer((request, response) => {
    answer(root, request, response).catch(() => {
      if (!response.headersSent) plain(response, 500, 'internal server error');
      else response.destroy();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}/`, port, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}

function plain(response: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra });
  response.end(`${status} ${text}\n`);
}

/** The file under `root` that `urlPath` names, or null (outside the root, missing, not a file). */
async function fileFor(root: string, urlPath: string): Promise<{ path: string; size: number } | null> {
  const wanted = resolve(root, '.' + sep + urlPath);
  if (!inside(root, wanted)) return null;
  let path: string;
  try {
    path = await realpath(wanted);
  } catch {
    return null;
  }
  if (!inside(root, path)) return null;
  let info = await stat(path);
  if (info.isDirectory()) {
    path = join(path, 'index.html');
    try {
      info = await stat(path);
    } catch {
      return null;
    }
  }
  return info.isFile() ? { path, size: info.size } : null;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}

async function answer(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(response, 405, 'method not allowed', { Allow: 'GET, HEAD' });
  let urlPath: string;
  try {
    urlPath = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    return plain(response, 400, 'bad request (malformed %-escape)');
  }
  if (urlPath.includes('\0')) return plain(response, 400, 'bad request (NUL in path)');
  const file = await fileFor(root, urlPath);
  if (file === null) return plain(response, 404, 'not found');
  response.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(file.size),
  });
  if (request.method === 'HEAD') return void response.end();
  const stream = createReadStream(file.path);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}
