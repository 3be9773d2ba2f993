/**
 * A child process for write-atomic.test.ts: `node --import tsx slow-writer.ts <target> [first]`
 * installs the CLI's interrupt handler, writes `first` completely (if given), then writes `target`
 * through writeAtomic one 64 KiB chunk every 20 ms, endlessly, announcing the temporary file on
 * stdout once its first chunk is on disk, so that the parent kills it in the middle of a write.
 */
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { installInterruptHandler } from '../../src/cli/interrupt.js';
import { writeAtomic, writeFileAtomic } from '../../src/node/write-atomic.js';

const [target, first] = process.argv.slice(2);
installInterruptHandler();
if (first !== undefined) await writeFileAtomic(first, 'complete\n', true);
await writeAtomic(
  target,
  async (temporary) => {
    const handle = await open(temporary, 'w');
    const chunk = new Uint8Array(1 << 16).fill(0x6e);
    try {
      for (let i = 0; ; i++) {
        await handle.write(chunk);
        if (i === 0) process.stdout.write(`writing ${temporary}\n`);
        await sleep(20);
      }
    } finally {
      await handle.close();
    }
  },
  true,
);
