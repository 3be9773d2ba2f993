import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendError } from '../../src/backend/backend.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { runConformance } from './conformance.js';

runConformance('ort', () => createOrtBackend(), { oracle: () => referenceBackend });
runConformance('ort (2 threads)', () => createOrtBackend({ threads: 2 }), { oracle: () => referenceBackend });
runConformance('ort (off thread)', () => createOrtBackend({ offThread: true }), { oracle: () => referenceBackend });

test('createOrtBackend checks its options', () => {
  assert.equal(createOrtBackend().name, 'ort');
  assert.throws(() => createOrtBackend({ threads: 0 }), BackendError);
  assert.throws(() => createOrtBackend({ threads: 1.5 }), BackendError);
});
