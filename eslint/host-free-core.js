/**
 * ESLint rule `ann2snn/host-free-core`: the core (every room of src/ but the host rooms, `node` and
 * `cli`) imports no Node builtin (`node:*` or a bare name such as 'fs' or 'worker_threads') and no
 * runtime-specific package (onnxruntime-node, onnxruntime-web): what differs between Node and a
 * browser is asked of the installed host, `platform()` (src/host/platform.ts).
 *
 * Checked: import and export … from (type-only ones too: a core type naming a host package ties the
 * core to it), import() and require() with a literal name.
 */
import { builtinModules } from 'node:module';
import { relative, resolve, sep } from 'node:path';

/** 'node:fs', 'fs', 'fs/promises', 'onnxruntime-web/wasm' (a subpath of a named package) → true. */
function isHostSpecific(source, packages) {
  if (source.startsWith('node:') || builtinModules.includes(source)) return true;
  return packages.some((p) => source === p || source.startsWith(`${p}/`));
}

export const hostFreeCore = {
  meta: {
    type: 'problem',
    docs: { description: 'The core of src/ imports no Node builtin and no runtime-specific package (the host seam).' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          hosts: { type: 'array', items: { type: 'string' } },
          packages: { type: 'array', items: { type: 'string' } },
        },
        required: ['root', 'hosts', 'packages'],
        additionalProperties: false,
      },
    ],
    messages: {
      hostImport:
        "core room '{{room}}' may not import '{{source}}': the core is host-free (ask platform(), src/host/platform.ts, or move the code to src/node/)",
    },
  },
  create(context) {
    const { root, hosts, packages } = context.options[0];
    const parts = relative(resolve(context.cwd, root), context.filename).split(sep);
    if (parts[0] === '..' || parts[0] === '' || hosts.includes(parts[0])) return {};
    const room = parts[0];

    function check(node, source) {
      if (typeof source !== 'string' || !isHostSpecific(source, packages)) return;
      context.report({ node, messageId: 'hostImport', data: { room, source } });
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      TSImportEqualsDeclaration: (node) =>
        node.moduleReference.type === 'TSExternalModuleReference' && check(node.moduleReference, node.moduleReference.expression.value),
      CallExpression: (node) =>
        node.callee.type === 'Identifier' &&
        node.callee.name === 'require' &&
        node.arguments.length === 1 &&
        node.arguments[0].type === 'Literal' &&
        check(node.arguments[0], node.arguments[0].value),
    };
  },
};
