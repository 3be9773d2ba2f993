/**
 * The writer seam: a ReportWriter renders a Report to text in one format. `writeReport` picks the
 * writer from the file extension and writes atomically (never a half-written file; no overwrite
 * without `force`).
 */
import { extname } from 'node:path';
import { writeFileAtomic } from '../host/write-atomic.js';
import { ReportError } from './build-report.js';
import { reportHtml } from './html.js';
import { reportJson } from './json.js';
import type { Report } from './schema.js';
import { reportText } from './text.js';

export interface ReportWriter {
  readonly name: string;
  readonly extensions: readonly string[];
  render(report: Report): Promise<string>;
}

export const reportWriters: Readonly<Record<string, ReportWriter>> = {
  html: { name: 'html', extensions: ['.html', '.htm'], render: reportHtml },
  json: { name: 'json', extensions: ['.json'], render: async (r) => reportJson(r) },
  text: { name: 'text', extensions: ['.txt'], render: async (r) => `${reportText(r)}\n` },
};

export function writerFor(path: string): ReportWriter {
  const ext = extname(path).toLowerCase();
  const writer = Object.values(reportWriters).find((w) => w.extensions.includes(ext));
  if (!writer) {
    const known = Object.values(reportWriters).flatMap((w) => w.extensions);
    throw new ReportError(`cannot tell the report format of '${path}': use one of ${known.join(', ')}`);
  }
  return writer;
}

export async function writeReport(path: string, report: Report, force = false): Promise<void> {
  const content = await writerFor(path).render(report);
  await writeFileAtomic(path, content, force);
}
