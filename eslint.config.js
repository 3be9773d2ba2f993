import tseslint from 'typescript-eslint';
import { dependencyDirection } from './eslint/dependency-direction.js';
import { hostFreeCore } from './eslint/host-free-core.js';

// The rooms of src/ in dependency order (docs/architecture.md):
//   tensor, host ← ir ← onnx, backend, quantize ← data, neurons, model, ann, train ← convert, simulate
//          ← analysis, calibrate, export, report ← core.ts (the host-free API) ← node, index.ts ← cli
// Every room but the hosts (node, cli) is the core: no Node builtin, no onnxruntime-node/-web
// (ann2snn/host-free-core; the host seam is host/platform.ts).
// A room may import every room of a lower layer and the same-layer rooms named in its line.
const upToIr = ['tensor', 'host', 'ir'];
const upToBackends = [...upToIr, 'onnx', 'backend', 'quantize'];
const upToModels = [...upToBackends, 'data', 'neurons', 'model', 'ann', 'train'];
const upToEngines = [...upToModels, 'convert', 'simulate'];
const upToOutputs = [...upToEngines, 'analysis', 'calibrate', 'export', 'report'];

/** Room → the rooms it may import. Adding a room is one line; a folder of src/ missing here fails lint. */
export const rooms = {
  tensor: [],
  host: ['tensor'], // the host seam (platform.ts): what differs between Node and a browser
  ir: ['tensor'],
  onnx: upToIr,
  quantize: upToIr,
  backend: [...upToIr, 'onnx', 'quantize'], // ORT runs graphs that onnx/ writes; int8 reads quantize/
  data: upToBackends,
  neurons: upToBackends,
  model: [...upToBackends, 'neurons'], // the .snn codec checks neuron names against the neuron table
  ann: [...upToBackends, 'data'], // calibration and evaluation read datasets
  train: [...upToBackends, 'data'],
  convert: upToModels,
  simulate: upToModels,
  analysis: upToEngines,
  calibrate: upToEngines, // corrects a converted SNN from its simulation (Li et al. 2021)
  export: upToEngines,
  report: [...upToEngines, 'analysis'], // reports show analyses
  'core.ts': upToOutputs, // the host-free public API (what a browser bundle imports)
  node: upToOutputs, // the Node host: platform.ts (installed by install.ts), worker entries, file I/O
  'index.ts': [...upToOutputs, 'core.ts', 'node'], // the library's Node entry: the core, the Node host, installs it
  cli: [...upToOutputs, 'node', 'core.ts', 'index.ts'], // the CLI is a client of the library's public API
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'scripts/', 'tmp/', 'build/', 'assembly/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { ann2snn: { rules: { 'dependency-direction': dependencyDirection, 'host-free-core': hostFreeCore } } },
    rules: {
      'ann2snn/dependency-direction': ['error', { root: 'src', rooms }],
      'ann2snn/host-free-core': ['error', { root: 'src', hosts: ['node', 'cli'], packages: ['onnxruntime-node', 'onnxruntime-web'] }],
    },
  },
  {
    // The browser build: the host-free core, the web host, the page; nothing of Node's.
    files: ['web/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'onnxruntime-node'], message: 'web/ runs in a browser: no Node module' },
            { group: ['**/src/node/**', '**/src/index.js', '**/src/cli/**'], message: 'web/ imports the core (src/core.ts), not the Node host' },
          ],
        },
      ],
    },
  },
);
