/** Installs the Node host before any test runs (scripts/run-tests.mjs imports it with --import). */
import '../../src/node/install.js';
