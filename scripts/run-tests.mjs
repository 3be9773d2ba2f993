#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [substring filter]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? find(path) : path.endsWith('.test.ts') ? [path] : [];
  });
}

const filter = process.argv[2] ?? '';
const files = find('test').filter((f) => f.includes(filter)).sort();
if (files.length === 0) {
  console.error(`no test files match '${filter}'`);
  process.exit(1);
}
const reporter = process.env.CI ? ['--test-reporter=spec'] : [];
const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/helpers/node-host.ts', '--test', '--test-concurrency=2', ...reporter, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
