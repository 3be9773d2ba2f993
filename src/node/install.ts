/** Installs the Node host (platform.ts) for the core; imported by the Node entry points. */
import { installPlatform } from '../host/platform.js';
import { nodePlatform } from './platform.js';

installPlatform(nodePlatform);
