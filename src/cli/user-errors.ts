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
]);

/** True when `error` is one of the project's user-error classes. */
export function isUserError(error: unknown): error is Error {
  return error instanceof Error && userErrorNames.has(error.name);
}
