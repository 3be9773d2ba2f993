/** A report written to a file (Node): the format from the extension (writerFor), written atomically. */
import { writerFor } from '../report/writers.js';
import type { Report } from '../report/schema.js';
import { writeFileAtomic } from './write-atomic.js';

/** Never a half-written file; no overwrite without `force` (OutputExistsError). */
export async function writeReport(path: string, report: Report, force = false): Promise<void> {
  const content = await writerFor(path).render(report);
  await writeFileAtomic(path, content, force);
}
