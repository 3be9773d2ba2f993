import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strategyVariants } from '../../src/analysis/compare-strategies.js';
import { calibrate } from '../../src/ann/calibrate.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { OutputExistsError } from '../../src/node/write-atomic.js';
import { buildReport, REPORT_SCHEMA, ReportError, reportHtml, reportJson, reportText, type Report } from '../../src/report/index.js';
import { writeReport } from '../../src/node/report-write.js';
import { smallCnn } from '../helpers/nets.js';
import { labelledByAnn } from '../helpers/labelled.js';

const ort = createOrtBackend({ threads: 1 });
const ann = smallCnn(21);

async function makeReport(T: number, strategy = 'deng-gu'): Promise<Report> {
  const data = await labelledByAnn(ort, ann, 24, [1, 8, 8]);
  const stats = await calibrate(ort, ann, data);
  const snn = convertToSnn(ann, stats, { ...defaultConversionOptions, strategy });
  return buildReport(ort, snn, data, {
    T,
    source: 'small.onnx',
    split: 'test',
    batchSize: 12,
    layerError: { images: 12 },
    comparison: { stats, variants: strategyVariants(['deng-gu', 'max-norm'], ['soft', 'hard'], defaultConversionOptions) },
    raster: { neuronsPerLayer: 4 },
  });
}

const report16 = makeReport(16);

/** Every number in the report, with its path, to check that none is NaN or infinite. */
function numbers(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  return [];
}

test('the report holds every analysis, with finite numbers, and survives a JSON round trip', async () => {
  const r = await report16;
  assert.equal(r.schema, REPORT_SCHEMA);
  assert.equal(r.T, 16);
  assert.equal(r.data.images, 24);
  assert.equal(r.ann.accuracy, 1);
  assert.equal(r.snn.accuracyAt.length, 16);
  assert.ok(r.snn.latency !== null && r.snn.latency <= 16);
  assert.equal(r.snn.engine, 'event', 'smallCnn lowers to the event engine');
  assert.equal(r.snn.engineNote, null);
  assert.deepEqual(
    r.conversion.layers.map((l) => l.node),
    ['act1', 'act2'],
  );
  assert.deepEqual(r.layerError!.T, [2, 4, 8, 16]);
  assert.equal(r.layerError!.images, 12);
  assert.equal(r.comparison!.variants.length, 6);
  assert.equal(r.activity.layers.length, 2);
  assert.ok(r.activity.layers.every((l) => l.histogram && l.histogram.counts.reduce((s, n) => s + n, 0) === l.units));
  assert.ok(r.cost.synopsPerImage > 0 && r.cost.snnEnergyPerImage > 0 && r.cost.annEnergyPerImage > 0);
  assert.equal(r.raster!.layers.length, 2);
  assert.equal(r.raster!.membrane!.v.length, 17);
  for (const [path, n] of numbers(r)) assert.ok(Number.isFinite(n), `${path} = ${n}`);
  const parsed = JSON.parse(reportJson(r)) as Report;
  assert.deepEqual(parsed, JSON.parse(JSON.stringify(r)));
  assert.equal(parsed.schema, 'ann2snn-report/1');
});

test('the values are computed: T and the strategy change them', async () => {
  const [a, b, c] = [await report16, await makeReport(8), await makeReport(16, 'max-norm')];
  assert.equal(b.snn.accuracyAt.length, 8);
  assert.notDeepEqual(
    a.layerError!.layers.map((l) => l.atT[l.atT.length - 1].accumulated.total),
    b.layerError!.layers.map((l) => l.atT[l.atT.length - 1].accumulated.total),
  );
  assert.notEqual(a.activity.spikesPerImage, b.activity.spikesPerImage);
  assert.notEqual(a.cost.synopsPerImage, b.cost.synopsPerImage);
  // the comparison's variants (shift bias / v0 / none, soft / hard reset) give different curves
  const curves = a.comparison!.variants.map((v) => v.accuracyAt.join(','));
  assert.ok(new Set(curves).size > 1, 'the comparison variants give different curves');
  assert.equal(c.conversion.options.strategy, 'max-norm');
  assert.match(reportText(c), /conversion: strategy max-norm/);
});

test('the text report shows every setting the HTML report shows: threshold scope, burst γ, θ per layer', async () => {
  const r = await report16;
  const burst: Report = {
    ...r,
    conversion: { ...r.conversion, options: { ...r.conversion.options, thresholdScope: 'channel', maxSpikesPerStep: 4 } },
  };
  const text = reportText(r);
  assert.match(
    text,
    /conversion: strategy deng-gu, shift v0 \(v\(0\) = θ\/2\), reset soft, readout accumulate, thresholds per layer, burst γ 1 \(IF\), neuron if, calibration .*24 images/,
  );
  assert.match(text, /layer\s+θ\s+channels\s+units\s+source/);
  for (const l of r.conversion.layers) assert.match(text, new RegExp(`^${l.node}\\s.*${l.source.replace(/[()]/g, '.')}$`, 'm'));
  for (const page of [reportText(burst), await reportHtml(burst)]) {
    assert.match(page, /thresholds (<b>)?per channel/);
    assert.match(page, /burst γ (<b>)?4/);
  }
});

test('terminal text names every layer and variant; HTML is self-contained with one inline SVG per plot', async () => {
  const r = await report16;
  const text = reportText(r);
  for (const s of ['act1', 'act2', 'deng-gu, bias T_shift=32, hard reset', 'max-norm, no shift, soft reset', 'flooring', 'synops'])
    assert.ok(text.includes(s), s);
  const html = await reportHtml(r);
  assert.match(html, /^<!DOCTYPE html>/);
  const plots = [...html.matchAll(/data-plot="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(plots, [
    'accuracy',
    'error-causes',
    'error-vs-T',
    'flooring-by-shift',
    'rate-histograms',
    'exit-latency',
    'raster',
    'membrane',
  ]);
  assert.equal((html.match(/<svg/g) ?? []).length, 8);
  // nothing to fetch: no external scripts, styles, images or fonts; the only script is inert JSON
  assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]*(src|href)=/i);
  assert.doesNotMatch(html, /@import|url\((?!#)/);
  assert.deepEqual(
    [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1].trim()),
    ['type="application/json" id="report-data"'],
  );
  const embedded = html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)![1];
  assert.equal((JSON.parse(embedded) as Report).T, 16);
  // svg ids are unique across the page
  const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length);
});

test('writeReport picks the format by extension, writes atomically and refuses to overwrite without force', async () => {
  const r = await report16;
  const dir = await mkdtemp(join(tmpdir(), 'ann2snn-report-'));
  try {
    await writeReport(join(dir, 'r.json'), r);
    assert.equal((JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as Report).schema, REPORT_SCHEMA);
    await writeReport(join(dir, 'r.txt'), r);
    assert.match(await readFile(join(dir, 'r.txt'), 'utf8'), /SNN accuracy at t/);
    await writeFile(join(dir, 'r.html'), 'old');
    await assert.rejects(writeReport(join(dir, 'r.html'), r), OutputExistsError);
    assert.equal(await readFile(join(dir, 'r.html'), 'utf8'), 'old');
    await writeReport(join(dir, 'r.html'), r, true);
    assert.match(await readFile(join(dir, 'r.html'), 'utf8'), /<svg/);
    await assert.rejects(writeReport(join(dir, 'r.pdf'), r), ReportError);
    assert.deepEqual((await readdir(dir)).sort(), ['r.html', 'r.json', 'r.txt']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('buildReport refuses a bad T and an evaluation of another T', async () => {
  const data = await labelledByAnn(ort, ann, 4, [1, 8, 8]);
  const snn = convertToSnn(ann, await calibrate(ort, ann, data), defaultConversionOptions);
  await assert.rejects(buildReport(ort, snn, data, { T: 0, source: 'x' }), ReportError);
  const r = await buildReport(ort, snn, data, { T: 4, source: 'x', layerError: false, raster: false });
  assert.equal(r.layerError, null);
  assert.equal(r.raster, null);
  assert.equal(r.comparison, null);
  const html = await reportHtml(r);
  assert.deepEqual(
    [...html.matchAll(/data-plot="([^"]+)"/g)].map((m) => m[1]),
    ['accuracy', 'rate-histograms', 'exit-latency'],
  );
});
