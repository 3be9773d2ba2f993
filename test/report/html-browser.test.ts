/**
 * Opens a report's HTML in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
 * it must load with no console error and no network request, and every plot must be a non-empty SVG
 * with data marks. A screenshot goes to the temp directory for a person to look at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { strategyVariants } from '../../src/analysis/compare-strategies.js';
import { calibrate } from '../../src/ann/calibrate.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { buildReport } from '../../src/report/index.js';
import { writeReport } from '../../src/node/report-write.js';
import { smallResidual } from '../helpers/nets.js';
import { labelledByAnn } from '../helpers/labelled.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed (apt-get install chromium)';

test(
  'the HTML report renders in headless Chromium: no console errors, no requests, every plot drawn',
  { skip, timeout: 120_000 },
  async () => {
    const { chromium } = await import('playwright-core');
    const ort = createOrtBackend({ threads: 1 });
    const ann = smallResidual(3);
    const data = await labelledByAnn(ort, ann, 20, [2, 6, 6]);
    const stats = await calibrate(ort, ann, data);
    const snn = convertToSnn(ann, stats, { ...defaultConversionOptions, shift: 'v0' });
    const report = await buildReport(ort, snn, data, {
      T: 32,
      source: 'residual.onnx',
      split: 'test',
      layerError: { images: 10 },
      comparison: {
        stats,
        variants: strategyVariants(['deng-gu:v0', 'max-norm', 'percentile'], ['soft', 'hard'], defaultConversionOptions),
      },
    });
    const dir = await mkdtemp(join(tmpdir(), 'ann2snn-html-'));
    const file = join(dir, 'report.html');
    await writeReport(file, report);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const plots = await page.$$eval('figure[data-plot]', (figures) =>
        figures.map((f) => {
          const svg = f.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          // data marks: the shapes inside Vega's mark groups, excluding text labels
          const marks = svg
            ? svg.querySelectorAll(
                'g.role-mark:not(.mark-text) > path, g.role-mark:not(.mark-text) > rect, g.role-mark:not(.mark-text) > line',
              )
            : [];
          const axes = svg ? svg.querySelectorAll('g.role-axis').length : 0;
          const titles = svg ? [...svg.querySelectorAll('g.role-axis-title text')].map((t) => t.textContent ?? '') : [];
          return { id: f.getAttribute('data-plot'), width: box?.width ?? 0, height: box?.height ?? 0, marks: marks.length, axes, titles };
        }),
      );
      assert.deepEqual(
        plots.map((p) => p.id),
        ['accuracy', 'error-causes', 'error-vs-T', 'flooring-by-shift', 'rate-histograms', 'exit-latency', 'raster', 'membrane'],
      );
      for (const p of plots) {
        assert.ok(p.width > 100 && p.height > 50, `${p.id}: svg is ${p.width}×${p.height}`);
        assert.ok(p.marks > 0, `${p.id}: no data marks`);
        assert.ok(p.axes >= 2, `${p.id}: ${p.axes} axes`);
        assert.ok(p.titles.length >= 2, `${p.id}: axis titles ${JSON.stringify(p.titles)}`);
      }
      const accuracy = plots[0];
      assert.ok(accuracy.titles.includes('time steps t') && accuracy.titles.includes('accuracy (%)'));
      assert.deepEqual(problems, []);
      assert.deepEqual(requests, [pathToFileURL(file).href], 'the page loads nothing but itself');
      const shot = join(tmpdir(), 'ann2snn-report-test.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`screenshot: ${shot}`);
    } finally {
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
