/** A model (or one of its nodes) that an export format cannot express; raised before anything is written. */
export class ExportError extends Error {
  override readonly name: string = 'ExportError';
  constructor(
    message: string,
    /** The node at fault, when there is one. */
    readonly nodeName?: string,
  ) {
    super(nodeName === undefined ? message : `node '${nodeName}': ${message}`);
  }
}
