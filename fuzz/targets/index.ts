/**
 * The table of fuzz targets, by name. Adding a target is one line here (and its module in this folder).
 */
import type { FuzzTarget } from '../target.js';
import { onnxTarget } from './onnx.js';

export const targets: readonly FuzzTarget[] = [onnxTarget];
