/** The JSON writer: the Report as it is (schema 'ann2snn-report/1'), non-finite numbers as null. */
import type { Report } from './schema.js';

export function reportJson(report: Report): string {
  return `${JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`;
}
