import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { exact, runEngineSuite } from './engine-suite.js';

// ONNX Runtime sums in its own order (f32), the oracle in the reference kernels' (f64 accumulators);
// on these cases no membrane lands within that rounding of θ, so the spikes agree exactly.
runEngineSuite({ name: 'dense engine (ONNX Runtime)', backend: createOrtBackend({ threads: 1 }), engine: 'dense', tolerance: exact });
