export * from './build-report.js';
export * from './charts.js';
export * from './conversion-rows.js';
export * from './html.js';
export * from './json.js';
export * from './schema.js';
export * from './text.js';
export * from './writers.js';
