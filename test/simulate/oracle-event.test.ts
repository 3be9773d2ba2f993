import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { exact, runEngineSuite } from './engine-suite.js';

// The event kernels add a unit's synaptic inputs spike by spike in f32 (θ folded into W′); on these
// cases no membrane lands within that rounding of θ, so the spikes agree exactly. The first layer's
// current (the static part) comes from ONNX Runtime, as `auto` runs it. In this thread: worker
// threads = this thread is event-engine.test.ts's.
runEngineSuite({ name: 'event engine', backend: createOrtBackend({ threads: 1 }), engine: 'event', tolerance: exact, threads: 1 });
