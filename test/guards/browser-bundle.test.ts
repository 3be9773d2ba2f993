/**
 * The host-free core bundles for a browser: esbuild bundles src/core.ts (platform 'browser', ESM, in
 * memory) and no module of the bundle — ours or a package's, however deep — may need a Node builtin
 * or a runtime-specific ONNX Runtime package. The lint rule (host-free-core) sees only our own
 * imports; this catches what packages pull in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { relative } from 'node:path';
import { build } from 'esbuild';

const HOST_PACKAGES = ['onnxruntime-node', 'onnxruntime-web'];

function isHostSpecific(path: string): boolean {
  return path.startsWith('node:') || builtinModules.includes(path) || HOST_PACKAGES.some((p) => path === p || path.startsWith(`${p}/`));
}

test('src/core.ts bundles for a browser without any Node builtin or host package', async () => {
  const needs: string[] = [];
  const result = await build({
    entryPoints: ['src/core.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'host-specific',
        setup(b) {
          // Recorded (importer → module) and left out, so that one run lists every offender.
          b.onResolve({ filter: /.*/ }, (args) => {
            if (!isHostSpecific(args.path)) return undefined;
            needs.push(`${relative(process.cwd(), args.importer)} → ${args.path}`);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  assert.deepEqual(result.errors, []);
  assert.deepEqual(needs, [], `the browser bundle needs host-specific modules:\n  ${needs.join('\n  ')}`);
  assert.ok(result.outputFiles.length === 1 && result.outputFiles[0].contents.length > 0);
});
