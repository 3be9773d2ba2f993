/**
 * What a conversion did, as plain rows every writer renders the same way (terminal report, HTML
 * report, `ann2snn convert`): the settings as label/value pairs, and θ per spiking layer.
 */
import type { ConversionInfo, ConversionOptions } from '../model/snn-model.js';
import { num } from './format.js';
import type { Report } from './schema.js';

export type ConversionSummary = Report['conversion'];

export interface SettingRow {
  readonly label: string;
  readonly value: string;
}

export interface ThresholdRows {
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** θ arrays → their range and channel count (what the report keeps of them). */
export function summarizeConversion(info: ConversionInfo): ConversionSummary {
  return {
    options: info.options,
    calibrationImages: info.calibrationImages,
    calibrationData: info.calibrationData ?? null,
    layers: info.layers.map((l) => ({
      node: l.node,
      thetaMin: Math.min(...l.theta),
      thetaMax: Math.max(...l.theta),
      channels: l.theta.length,
      units: l.units,
      source: l.source,
    })),
  };
}

/** strategy, shift, reset, readout, threshold scope, burst γ, neuron kind, calibration (the images the thresholds came from, where known). */
export function conversionSettings(c: ConversionSummary): SettingRow[] {
  const o = c.options;
  return [
    { label: 'strategy', value: strategyValue(o) },
    { label: 'shift', value: shiftValue(o) },
    { label: 'reset', value: o.reset },
    { label: 'readout', value: o.readout },
    { label: 'thresholds', value: `per ${o.thresholdScope}` },
    { label: 'burst γ', value: o.maxSpikesPerStep === 1 ? '1 (IF)' : String(o.maxSpikesPerStep) },
    { label: 'neuron', value: o.neuron },
    { label: 'calibration', value: calibrationValue(c) },
  ];
}

function calibrationValue(c: ConversionSummary): string {
  if (c.calibrationData !== null) return c.calibrationData;
  return c.calibrationImages === 0 ? 'none (θ from the model)' : `${c.calibrationImages} images of unrecorded data`;
}

function strategyValue(o: ConversionSummary['options']): string {
  if (o.strategy === 'percentile') return `percentile (p = ${o.percentile})`;
  if (o.strategy === 'calibrated' && o.targetT !== undefined) return `calibrated (target T = ${o.targetT})`;
  return o.strategy;
}

/** "strategy deng-gu, shift v0 (v(0) = θ/2), …": the settings as one line of plain text. */
export function settingsLine(rows: readonly SettingRow[]): string {
  return rows.map((r) => `${r.label} ${r.value}`).join(', ');
}

/** One row per spiking layer: θ (or its range over channels), channels, units, where θ came from. */
export function thresholdRows(c: ConversionSummary): ThresholdRows {
  return {
    headers: ['layer', 'θ', 'channels', 'units', 'source'],
    rows: c.layers.map((l) => [
      l.node,
      l.channels === 1 ? num(l.thetaMin) : `${num(l.thetaMin, 3)} … ${num(l.thetaMax, 3)}`,
      String(l.channels),
      String(l.units),
      l.source,
    ]),
  };
}

function shiftValue(o: ConversionOptions): string {
  if (o.shift === 'bias') return `bias (b += θ/(2·T_shift), T_shift = ${o.tShift})`;
  if (o.shift === 'v0') return 'v0 (v(0) = θ/2)';
  return 'none (floor)';
}
