/**
 * `ann2snn serve [--port <n>] [--dir <folder>] [--host <address>]`: serves the web build (default: the
 * package's build/web, made by `npm run build:web`) read-only on localhost, cross-origin isolated so
 * that onnxruntime-web has its threads (src/node/static-server.ts), and prints its URL on one line.
 * It runs until Ctrl-C (the CLI's interrupt handler ends the process; nothing is ever written).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { startStaticServer } from '../../node/static-server.js';
import { intIn } from '../options.js';

export const defaultWebBuild = fileURLToPath(new URL('../../../build/web', import.meta.url));

/** The folder to serve is not a web build. */
export class ServeError extends Error {
  override readonly name = 'ServeError';
}

interface Flags {
  port: number;
  dir: string;
  host: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the web page (the build of `npm run build:web`) on localhost and print its URL')
    .option('--port <n>', 'TCP port (0: a free one)', intIn(0, 65_535, 'a TCP port'), 8080)
    .option('--dir <folder>', 'the web build to serve', defaultWebBuild)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action(async (flags: Flags) => {
      checkBuild(flags.dir);
      let server;
      try {
        server = await startStaticServer(flags.dir, { port: flags.port, host: flags.host });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
          throw new ServeError(`cannot listen on ${flags.host}:${flags.port} (${code}): choose another --port or --host`);
        }
        throw e;
      }
      console.log(`ann2snn: serving ${flags.dir} at ${server.url} (Ctrl-C stops)`);
    });
}

function checkBuild(dir: string): void {
  const index = join(dir, 'index.html');
  if (!existsSync(dir) || !statSync(dir).isDirectory() || !existsSync(index)) {
    throw new ServeError(`no web build at ${dir} (${existsSync(dir) ? 'index.html is missing' : 'no such folder'}): run npm run build:web`);
  }
}
