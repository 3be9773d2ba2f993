/**
 * Lets the event loop run (signal handlers, timers, I/O) from a long synchronous computation: a
 * promise that resolves on the next macrotask, at most once per YIELD_MS of work (so a loop can call
 * it every iteration for free). Without it, a backend that computes on the JS thread (the reference
 * backend) would hold Ctrl-C until the whole simulation ends.
 */
const YIELD_MS = 50;

let last = performance.now();

/** setImmediate where the host has it (Node: no 1 ms clamp), else a zero timeout (browsers). */
const nextMacrotask = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;

export async function yieldSometimes(): Promise<void> {
  const now = performance.now();
  if (now - last < YIELD_MS) return;
  last = now;
  await new Promise<void>((resolve) => (nextMacrotask ?? ((f: () => void) => setTimeout(f, 0)))(resolve));
}
