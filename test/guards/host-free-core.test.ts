/**
 * The host-free-core lint rule (eslint/host-free-core.js, wired in eslint.config.js) refuses a Node
 * builtin or a runtime-specific package in the core (every room of src/ but node/ and cli/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const RULE = 'ann2snn/host-free-core';
const eslint = new ESLint();

/** The rule's messages for `code` linted as if it were the file at `filePath`. */
async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

test('a Node builtin or a host package in the core fails, naming the room and the import', async () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['src/data/x.ts', "import { readFileSync } from 'node:fs';", "core room 'data' may not import 'node:fs'"],
    ['src/data/x.ts', "import { readFile } from 'fs/promises';", "may not import 'fs/promises'"],
    ['src/simulate/event/x.ts', "import { Worker } from 'worker_threads';", "core room 'simulate' may not import 'worker_threads'"],
    ['src/backend/ort/x.ts', "import * as ort from 'onnxruntime-node';", "may not import 'onnxruntime-node'"],
    ['src/backend/ort/x.ts', "import type * as ort from 'onnxruntime-web';", "may not import 'onnxruntime-web'"],
    ['src/backend/x.ts', "export { env } from 'onnxruntime-web/wasm';", "may not import 'onnxruntime-web/wasm'"],
    ['src/export/nir/x.ts', "const os = await import('node:os');", "may not import 'node:os'"],
    ['src/host/x.ts', "const { createHash } = require('crypto');", "core room 'host' may not import 'crypto'"],
    ['src/core.ts', "export * from 'node:path';", "core room 'core.ts' may not import 'node:path'"],
  ];
  for (const [filePath, code, expected] of cases) {
    const messages = await violations(filePath, code);
    assert.equal(messages.length, 1, `${filePath}: ${code} → ${JSON.stringify(messages)}`);
    assert.ok(messages[0].includes(expected), `${messages[0]} should say ${expected}`);
  }
});

test('the hosts (node/, cli/, index.ts), other packages and type-only onnxruntime-common pass', async () => {
  const cases: readonly (readonly [string, string])[] = [
    ['src/node/x.ts', "import { readFileSync } from 'node:fs';\nimport * as ort from 'onnxruntime-node';"],
    ['src/node/workers/x.ts', "import { parentPort } from 'node:worker_threads';"],
    ['src/cli/commands/x.ts', "import { join } from 'node:path';"],
    ['src/host/x.ts', "import type * as OrtApi from 'onnxruntime-common';"],
    ['src/data/x.ts', "import { gunzipSync } from 'fflate';\nimport { tensor } from '../tensor/tensor.js';"],
    ['src/report/x.ts', "const vega = await import('vega');"],
  ];
  for (const [filePath, code] of cases) assert.deepEqual(await violations(filePath, code), [], `${filePath}: ${code}`);
});
