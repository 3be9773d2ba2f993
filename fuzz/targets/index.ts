/**
 * The table of fuzz targets, by name. Adding a target is one line here, one import above, and its
 * module in this folder (prettier-ignore keeps one line per target, so parallel additions merge).
 */
import type { FuzzTarget } from '../target.js';
import { onnxTarget } from './onnx.js';
import { idxTarget } from './idx.js';
import { cifar10Target } from './cifar10.js';
import { snnTarget } from './snn.js';
import { nirExportTarget } from './nir-export.js';
import { onnxExportTarget } from './onnx-export.js';
import { cliFlagsTarget } from './cli-flags.js';

// prettier-ignore
export const targets: readonly FuzzTarget[] = [
  onnxTarget,
  idxTarget,
  cifar10Target,
  snnTarget,
  nirExportTarget,
  onnxExportTarget,
  cliFlagsTarget,
];
