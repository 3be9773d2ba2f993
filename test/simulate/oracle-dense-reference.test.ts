import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { exact, runEngineSuite } from './engine-suite.js';

// θ folded into the next layer's weights rounds W·θ once more than the oracle's W·(θ·s); on these
// cases no membrane lands within that rounding of θ, so the dense engine agrees exactly.
runEngineSuite({ name: 'dense engine (reference backend)', backend: referenceBackend, engine: 'dense', tolerance: exact });
