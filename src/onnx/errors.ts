/** Errors of the ONNX reader and writer: each names the file (or '<bytes>'), and the node or byte offset at fault. */

export interface OnnxErrorDetails {
  /** The file (or '<bytes>') the model came from. */
  readonly source?: string;
  /** The ONNX node at fault (its name, or the generated `${opType}_${index}`). */
  readonly nodeName?: string;
  /** Where the protobuf decoder stopped, when it said so. */
  readonly byteOffset?: number;
  readonly cause?: unknown;
}

/**
 * A model that cannot be read or converted. The message reads
 * `${source}: node '${nodeName}': ${message}` (each prefix only when known), so it can be printed as is.
 */
export class OnnxError extends Error {
  override readonly name = 'OnnxError';
  readonly source?: string;
  readonly nodeName?: string;
  readonly byteOffset?: number;
  /** The message without the source and node prefixes. */
  readonly detail: string;

  constructor(message: string, details: OnnxErrorDetails = {}) {
    const where = details.nodeName === undefined ? '' : `node '${details.nodeName}': `;
    super(`${details.source === undefined ? '' : `${details.source}: `}${where}${message}`, { cause: details.cause });
    this.source = details.source;
    this.nodeName = details.nodeName;
    this.byteOffset = details.byteOffset;
    this.detail = message;
  }
}
