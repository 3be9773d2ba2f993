/**
 * ESLint rule `ann2snn/dependency-direction`: a file of room R (the first folder under src/, or a file
 * directly in src/ such as index.ts) may import its own room's files and the rooms that
 * `rooms[R]` lists, nothing else. The table lives in eslint.config.js; docs/architecture.md draws it.
 *
 * Only relative imports into src/ are checked (import, export … from, import()); packages and
 * node:* are another rule's job.
 */
import { dirname, relative, resolve, sep } from 'node:path';

/** 'src/tensor/tensor.ts' → 'tensor'; 'src/index.ts' → 'index.ts'; outside src → null. */
function roomOf(root, file) {
  const parts = relative(root, file).split(sep);
  if (parts[0] === '..' || parts[0] === '') return null;
  return parts.length === 1 ? parts[0].replace(/\.js$/, '.ts') : parts[0];
}

export const dependencyDirection = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports between the rooms of src/ point one way (eslint.config.js, rooms).' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          rooms: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        },
        required: ['root', 'rooms'],
        additionalProperties: false,
      },
    ],
    messages: {
      unknownRoom: "room '{{room}}' is not in the rooms table (eslint.config.js): add one line saying which rooms it may import",
      upward: "room '{{from}}' may not import '{{to}}' ({{source}}): dependencies point down; '{{from}}' may import {{allowed}}",
    },
  },
  create(context) {
    const { root, rooms } = context.options[0];
    const cwd = context.cwd;
    const srcRoot = resolve(cwd, root);
    const file = context.filename;
    const from = roomOf(srcRoot, file);
    if (from === null) return {};
    const allowed = rooms[from];

    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = resolve(dirname(file), source);
      const to = roomOf(srcRoot, target);
      if (to === null || to === from || allowed.includes(to)) return;
      const list = allowed.length === 0 ? 'no other room' : allowed.join(', ');
      context.report({ node, messageId: 'upward', data: { from, to, source, allowed: list } });
    }

    if (allowed === undefined) {
      return { Program: (node) => context.report({ node, messageId: 'unknownRoom', data: { room: from } }) };
    }
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};
