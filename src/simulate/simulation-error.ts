/** A simulation request that cannot run (T, batches in flight, precision, engine, threads), naming the option at fault. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
}
