/**
 * The dependency-direction lint rule (eslint/dependency-direction.js, table in eslint.config.js)
 * refuses upward imports between the rooms of src/, and its table covers every room.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { ESLint } from 'eslint';

const RULE = 'ann2snn/dependency-direction';
const eslint = new ESLint();

interface RuleOptions {
  readonly root: string;
  readonly rooms: Readonly<Record<string, readonly string[]>>;
}

async function ruleOptions(): Promise<RuleOptions> {
  const config = (await eslint.calculateConfigForFile('src/index.ts')) as { rules: Record<string, [unknown, RuleOptions]> };
  return config.rules[RULE][1];
}

/** The rule's messages for `code` linted as if it were the file at `filePath`. */
async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

test('an upward import fails, naming both rooms', async () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['src/tensor/x.ts', "import { simulate } from '../simulate/simulator.js';", "'tensor' may not import 'simulate'"],
    ['src/simulate/x.ts', "import { main } from '../cli/main.js';", "'simulate' may not import 'cli'"],
    ['src/simulate/event/x.ts', "export { main } from '../../cli/main.js';", "'simulate' may not import 'cli'"],
    ['src/ir/passes/x.ts', "import type { Backend } from '../../backend/backend.js';", "'ir' may not import 'backend'"],
    ['src/data/x.ts', "const ann = await import('../ann/evaluate.js');", "'data' may not import 'ann'"],
    ['src/convert/x.ts', "import { analyse } from '../index.js';", "'convert' may not import 'index.ts'"],
    ['src/index.ts', "export * from './cli/main.js';", "'index.ts' may not import 'cli'"],
    ['src/core.ts', "export * from './node/snn-file.js';", "'core.ts' may not import 'node'"],
    ['src/backend/x.ts', "import { ann } from '../ann/load.js';", "'backend' may not import 'ann'"],
  ];
  for (const [filePath, code, expected] of cases) {
    const messages = await violations(filePath, code);
    assert.equal(messages.length, 1, `${filePath}: ${code} → ${JSON.stringify(messages)}`);
    assert.ok(messages[0].includes(expected), `${messages[0]} should say ${expected}`);
  }
});

test('downward imports, own-room imports and packages pass', async () => {
  const cases: readonly (readonly [string, string])[] = [
    ['src/tensor/x.ts', "import { tensor } from './tensor.js';"],
    ['src/ir/passes/x.ts', "import type { Tensor } from '../../tensor/tensor.js';"],
    ['src/simulate/event/x.ts', "import { directEncoder } from '../encoders.js';\nimport type { Graph } from '../../ir/graph.js';"],
    ['src/simulate/x.ts', "import { neuronKind } from '../neurons/index.js';\nimport { unzlibSync } from 'fflate';"],
    ['src/report/x.ts', "import { evaluateSnn } from '../analysis/evaluate-snn.js';"],
    ['src/cli/x.ts', "import { convert } from '../index.js';"],
    ['src/index.ts', "export * from './node/report-write.js';"],
    ['src/core.ts', "export * from './report/writers.js';"],
  ];
  for (const [filePath, code] of cases) assert.deepEqual(await violations(filePath, code), [], `${filePath}: ${code}`);
});

test('a room missing from the table fails', async () => {
  const messages = await violations('src/newroom/x.ts', "import { tensor } from '../tensor/tensor.js';");
  assert.equal(messages.length, 1);
  assert.ok(messages[0].includes("room 'newroom' is not in the rooms table"));
});

test('the rooms table lists every folder and file directly under src/', async () => {
  const { root, rooms } = await ruleOptions();
  const entries = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() || e.name.endsWith('.ts'))
    .map((e) => e.name);
  for (const name of entries) assert.ok(name in rooms, `src/${name} is not in the rooms table (eslint.config.js)`);
  for (const room of Object.values(rooms).flat()) assert.ok(room in rooms, `'${room}' is allowed but is not a room`);
});

test('the rooms table has no cycle (it is a layering)', async () => {
  const { rooms } = await ruleOptions();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (room: string, path: readonly string[]): void => {
    if (state.get(room) === 'done') return;
    assert.notEqual(state.get(room), 'open', `cycle: ${[...path, room].join(' → ')}`);
    state.set(room, 'open');
    for (const next of rooms[room]) visit(next, [...path, room]);
    state.set(room, 'done');
  };
  for (const room of Object.keys(rooms)) visit(room, []);
});
