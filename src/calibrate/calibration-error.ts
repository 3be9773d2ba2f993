/** Calibration of a converted SNN cannot proceed; the message names the node or setting at fault. */
export class SnnCalibrationError extends Error {
  override readonly name = 'SnnCalibrationError';
}
