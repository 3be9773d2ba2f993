/**
 * Graph passes: each a pure Graph → Graph, each exact (the output is unchanged for every input).
 *
 * `simplifyGraph` runs them in this order, then validates the result:
 *   1. removeIdentity  — so that layers separated only by Identity/Dropout become adjacent
 *                        (Conv → Dropout → BatchNorm, Pad → Identity → Conv);
 *   2. foldPad         — explicit Pads into the conv/pool windows that read them;
 *   3. foldBatchNorm   — BatchNorm into the preceding Conv2d/Dense (independent of 2; last so it
 *                        sees the final wiring).
 * Anything a pass cannot rewrite exactly is left in place for a later stage to handle or refuse.
 */
import type { Graph } from '../graph.js';
import { validateGraph } from '../shapes.js';
import { foldBatchNorm } from './fold-batchnorm.js';
import { foldPad } from './fold-pad.js';
import { removeIdentity } from './remove-identity.js';

export { foldBatchNorm } from './fold-batchnorm.js';
export { foldPad } from './fold-pad.js';
export { removeIdentity } from './remove-identity.js';

export function simplifyGraph(graph: Graph): Graph {
  const result = foldBatchNorm(foldPad(removeIdentity(graph)));
  validateGraph(result);
  return result;
}
