/**
 * What the page asks of a finished run: the raster of another image (the report follows, so the
 * downloaded HTML shows the image on screen), and the deng-gu model's files as bytes: the `.snn`
 * (the codec), the HTML report (the report writer), NIR and ONNX (the exporter table).
 */
import { encodeSnn, exporters, recordRaster, reportHtml } from '../../../src/core.js';
import type { DownloadKind, WorkerMessage } from '../protocol.js';
import { renderFigures } from './figures.js';
import type { DemoSession } from './run-demo.js';

export async function rasterFor(session: DemoSession, image: number): Promise<WorkerMessage> {
  const raster = await recordRaster(session.backend, session.model, session.test, { T: session.report.T, image });
  session.report = { ...session.report, raster };
  return { type: 'figures', figures: await renderFigures(session.report, ['raster', 'membrane']) };
}

export async function download(session: DemoSession, kind: DownloadKind): Promise<WorkerMessage> {
  const stem = session.source.replace(/\.onnx$/i, '');
  const file = await fileOf(session, kind);
  return { type: 'download', kind, fileName: `${stem}${file.suffix}`, mime: file.mime, bytes: file.bytes };
}

async function fileOf(session: DemoSession, kind: DownloadKind): Promise<{ suffix: string; mime: string; bytes: Uint8Array }> {
  switch (kind) {
    case 'snn':
      return {
        suffix: '.snn',
        mime: 'application/octet-stream',
        bytes: encodeSnn(session.model, {
          source: session.source,
          calibration: session.thresholdsFrom,
          ...(session.dataSpec === null ? {} : { calibrationData: session.dataSpec }),
          annAccuracy: session.report.ann.accuracy,
        }),
      };
    case 'report':
      return { suffix: '.report.html', mime: 'text/html', bytes: new TextEncoder().encode(await reportHtml(session.report)) };
    case 'nir':
      return { suffix: exporters.nir.extension, mime: 'application/x-hdf5', bytes: await exporters.nir.write(session.model, {}) };
    case 'onnx':
      return {
        suffix: `.snn${exporters.onnx.extension}`,
        mime: 'application/octet-stream',
        bytes: await exporters.onnx.write(session.model, {}),
      };
  }
}
