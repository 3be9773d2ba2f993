/**
 * Ctrl-C (SIGINT) and SIGTERM stop the CLI cleanly, whatever it is doing (simulating, converting,
 * writing a report, training): the temporary files of writes in flight are removed (no output is
 * ever partial; see src/node/write-atomic.ts), one line says what happened and what was kept, and
 * the process ends by the signal itself, so its exit status is 128 + the signal's number (130 for
 * INT, 143 for TERM) as a shell reports it. Worker threads (event engine, ONNX Runtime off the JS
 * thread) end with the process.
 *
 * The handler runs on the JS thread, so it waits for the computation in progress to reach its next
 * await (one batch at most: every engine awaits between batches).
 */
import { writeSync } from 'node:fs';
import { abandonTemporaries } from '../node/temp-files.js';

const exitCodes = { SIGINT: 130, SIGTERM: 143 } as const;

/** Installs the handlers once; `program` names the process in the message. */
export function installInterruptHandler(program = 'ann2snn'): void {
  for (const signal of Object.keys(exitCodes) as (keyof typeof exitCodes)[]) {
    process.once(signal, () => interrupt(program, signal));
  }
}

function interrupt(program: string, signal: keyof typeof exitCodes): never {
  const kept = abandonTemporaries();
  const what = kept.length === 0 ? 'nothing was written' : `kept ${kept.join(', ')} (complete); nothing else was written`;
  // On a terminal: clear the progress bar's line and show the cursor it hid.
  const tty = process.stderr.isTTY ? '\r\x1b[K\x1b[?25h' : '';
  try {
    writeSync(2, `${tty}${program}: interrupted (${signal}); ${what}\n`);
  } catch {
    // stderr closed: exit all the same.
  }
  // Die of the signal itself (default action, no exit handlers): the shell sees 128 + its number, a
  // parent sees the signal, and no native teardown runs while ONNX Runtime may still be mid-run
  // (process.exit there can abort in its N-API callbacks).
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  process.exit(exitCodes[signal]); // only if the signal could not end the process
}
