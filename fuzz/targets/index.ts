/**
 * The table of fuzz targets, by name. Adding a target is one line here, one import above, and its
 * module in this folder (prettier-ignore keeps one line per target, so parallel additions merge).
 */
import type { FuzzTarget } from '../target.js';
import { onnxTarget } from './onnx.js';

// prettier-ignore
export const targets: readonly FuzzTarget[] = [
  onnxTarget,
];
