/**
 * The project's own error classes that mean "the input or the request is wrong", by `name`. The CLI
 * prints these as one line and exits 1; any other exception (a built-in RangeError or TypeError
 * included) is a bug and prints its stack. The fuzzing harness uses the same list.
 */
export const userErrorNames: ReadonlySet<string> = new Set([
  'OnnxError',
  'GraphError',
  'ShapeError',
  'DataError',
  'ConversionError',
  'NeuronError',
  'SnnCalibrationError',
  'SnnFileError',
  'OutputExistsError',
  'OutputPathError',
  'BackendError',
  'SimulationError',
  'TrainError',
  'ReportError',
  'ExportError',
  'NirExportError',
  'NirReadError',
  'EarlyExitError',
  'UsageError',
  'ServeError',
]);

/** A refused command line (a flag's value, an unknown option or command); the CLI exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** commander's code ('commander.invalidArgument', …), or 'ann2snn.flag' for a check after parsing. */
    readonly code = 'ann2snn.flag',
    /** Whether commander has printed the message already. */
    readonly printed = false,
  ) {
    super(message);
  }
}

/** True when `error` is one of the project's user-error classes. */
export function isUserError(error: unknown): error is Error {
  return error instanceof Error && userErrorNames.has(error.name);
}
