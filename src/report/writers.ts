/**
 * The writer seam: a ReportWriter renders a Report to text in one format; `writerFor` picks it from
 * a file name's extension. Writing the file is the host's (src/node/report-write.ts: writeReport).
 */
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

/**
 * The extension of a path's last segment, as Node's path.extname (POSIX) gives it: from its last
 * dot, '' when the name has no dot or only a leading one ('a/.html' → '', 'r.tar.gz' → '.gz').
 */
function extname(path: string): string {
  const name = path.replace(/\/+$/, '').split('/').at(-1) ?? '';
  const dot = name.lastIndexOf('.');
  return dot <= 0 || /^\.+$/.test(name) ? '' : name.slice(dot);
}

export function writerFor(path: string): ReportWriter {
  const ext = extname(path).toLowerCase();
  const writer = Object.values(reportWriters).find((w) => w.extensions.includes(ext));
  if (!writer) {
    const known = Object.values(reportWriters).flatMap((w) => w.extensions);
    throw new ReportError(`cannot tell the report format of '${path}': use one of ${known.join(', ')}`);
  }
  return writer;
}
