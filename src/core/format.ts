/**
 * Numbers for people: weights with a unit that fits their size ("12.3 ms", "1.25 s") and shares
 * ("8.1%"). Three significant figures: enough to compare, few enough to read at a glance.
 */
import type { WeightUnit } from './profile';

function threeFigures(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const NANOSECONDS_PER: Partial<Record<WeightUnit, number>> = {
  nanoseconds: 1,
  microseconds: 1e3,
  milliseconds: 1e6,
  seconds: 1e9,
};

function formatTime(ns: number): string {
  const abs = Math.abs(ns);
  if (abs === 0) return '0 ms';
  // Switch units where three figures would otherwise round up to 1000 ("999.6 µs" -> "1.00 ms").
  if (abs < 999.5) return `${threeFigures(ns)} ns`;
  if (abs < 999.5e3) return `${threeFigures(ns / 1e3)} µs`;
  if (abs < 999.5e6) return `${threeFigures(ns / 1e6)} ms`;
  return `${threeFigures(ns / 1e9)} s`;
}

function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${Math.round(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let u = 0;
  while (Math.abs(value) >= 1023.5 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  return `${threeFigures(value)} ${units[u]}`;
}

function formatCount(value: number): string {
  return Number.isInteger(value) ? String(value) : threeFigures(value);
}

/** A weight in its unit, scaled to fit: `formatWeight(12345, 'microseconds')` is "12.3 ms". */
export function formatWeight(value: number, unit: WeightUnit): string {
  if (!Number.isFinite(value)) return String(value);
  const ns = NANOSECONDS_PER[unit];
  if (ns !== undefined) return formatTime(value * ns);
  if (unit === 'bytes') return formatBytes(value);
  if (unit === 'samples') return `${formatCount(value)} ${value === 1 ? 'sample' : 'samples'}`;
  return formatCount(value);
}

/** `part` as a percentage of `whole`, one decimal: "8.1%", "100%", "<0.1%", "0%". */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0) || !(part > 0)) return '0%';
  const pct = (part / whole) * 100;
  if (pct < 0.05) return '<0.1%';
  if (pct >= 99.95 && pct <= 100.05) return '100%';
  return `${pct.toFixed(1)}%`;
}

/** A call count for people: "1 call", "8,360 calls". */
export function formatCalls(calls: number): string {
  return `${calls.toLocaleString('en-US')} ${calls === 1 ? 'call' : 'calls'}`;
}
