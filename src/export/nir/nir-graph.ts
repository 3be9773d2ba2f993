/**
 * NIR (Neuromorphic Intermediate Representation) as plain data: the node types ann2snn writes and
 * reads, with the field names of the `nir` Python package (neuromorphs/NIR, nir/ir/*.py; the HDF5
 * layout of nir/serialization.py). Shapes exclude the batch dimension, as in NIR.
 */
import { ExportError } from '../export-error.js';
import type { Tensor } from '../../tensor/tensor.js';

/** The NIR release whose layout the writer follows (written to `/version`); files read with nir ≥ 1.0.4. */
export const NIR_VERSION = '1.0.7';

export type IntPair = readonly [number, number];

export interface NirInput {
  readonly type: 'Input';
  readonly shape: readonly number[];
}
export interface NirOutput {
  readonly type: 'Output';
  readonly shape: readonly number[];
}
/** y = W ⋆ x + b (PyTorch Conv2d); `inputShape` = (H, W) of the input. */
export interface NirConv2d {
  readonly type: 'Conv2d';
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly stride: IntPair;
  readonly padding: IntPair;
  readonly dilation: IntPair;
  readonly groups: number;
  readonly inputShape: IntPair;
}
/** y = W x + b */
export interface NirAffine {
  readonly type: 'Affine';
  readonly weight: Tensor;
  readonly bias: Tensor;
}
/** y = W x (read only) */
export interface NirLinear {
  readonly type: 'Linear';
  readonly weight: Tensor;
}
/** Sum over each window (SumPool2d) or its mean, padded zeros counted (AvgPool2d, read only). */
export interface NirPool2d {
  readonly type: 'SumPool2d' | 'AvgPool2d';
  readonly kernelSize: IntPair;
  readonly stride: IntPair;
  readonly padding: IntPair;
}
/** Flattens dimensions start_dim…end_dim of the (batch-free) input of shape `inputType`. */
export interface NirFlatten {
  readonly type: 'Flatten';
  readonly startDim: number;
  readonly endDim: number;
  readonly inputType: readonly number[];
}
/**
 * Integrate-and-fire: v ← v + r·I; z = [v > v_threshold]; on a spike v ← v_reset (0 when absent).
 * Readers differ: Sinabs and SpiNNaker2 subtract the threshold instead.
 */
export interface NirIf {
  readonly type: 'IF';
  readonly r: Tensor;
  readonly vThreshold: Tensor;
  /** Read only; ann2snn never writes it (nir ≤ 1.0.5 refuses it). */
  readonly vReset: Tensor | null;
}

export type NirNode = NirInput | NirOutput | NirConv2d | NirAffine | NirLinear | NirPool2d | NirFlatten | NirIf;
export type NirNodeType = NirNode['type'];

export type NirMetadataValue = string | number;

export interface NirGraph {
  /** Node name → node, in the order written (readers must not rely on it: HDF5 sorts names). */
  readonly nodes: ReadonlyMap<string, NirNode>;
  /** (from, to): a node's inputs are summed. */
  readonly edges: readonly (readonly [string, string])[];
  readonly metadata: Readonly<Record<string, NirMetadataValue>>;
}

/**
 * The datasets of each node group as the `nir` reader expects them (besides `type` and an optional
 * `metadata` group); a field the reader does not know makes it refuse the file.
 */
export const NIR_FIELDS: Readonly<Record<NirNodeType, readonly string[]>> = {
  Input: ['shape'],
  Output: ['shape'],
  Conv2d: ['weight', 'bias', 'stride', 'padding', 'dilation', 'groups', 'input_shape'],
  Affine: ['weight', 'bias'],
  Linear: ['weight'],
  SumPool2d: ['kernel_size', 'stride', 'padding'],
  AvgPool2d: ['kernel_size', 'stride', 'padding'],
  Flatten: ['start_dim', 'end_dim', 'input_type'],
  IF: ['r', 'v_threshold'],
};

/** Fields a reader accepts without requiring them. */
export const NIR_OPTIONAL_FIELDS: Readonly<Partial<Record<NirNodeType, readonly string[]>>> = {
  Conv2d: ['input_shape'],
  Flatten: ['input_type'],
  IF: ['v_reset'],
};

/** What NIR cannot express (an ExportError: the CLI and callers treat it as any export refusal). */
export class NirExportError extends ExportError {
  override readonly name = 'NirExportError';
}

export class NirReadError extends Error {
  override readonly name = 'NirReadError';
  constructor(
    message: string,
    /** The NIR node at fault, when there is one. */
    readonly nodeName?: string,
  ) {
    super(nodeName === undefined ? message : `NIR node '${nodeName}': ${message}`);
  }
}
