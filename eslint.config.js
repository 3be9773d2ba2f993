import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'scripts/', 'tmp/', 'build/', 'assembly/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Dependencies point one way: tensor ← ir ← onnx/backend ← … (ARCHITECTURE.md).
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/tensor/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['../ir/*', '../onnx/*', '../backend/*', '../cli/*'] }] },
  },
  {
    files: ['src/ir/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['../onnx/*', '../backend/*', '../convert/*', '../simulate/*', '../cli/*', '../../onnx/*', '../../backend/*'] }] },
  },
);
