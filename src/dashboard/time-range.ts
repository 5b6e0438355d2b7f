/**
 * Time ranges of the dashboard: 15m, 1h, 24h, 7d ending now, or a custom range. Ends are aligned
 * to the grain, so the same question asked again within one grain step is the same query (and
 * the metrics cache answers it while the lake did not change).
 */
import { shiftGrain, truncateToGrain } from '../metrics/compile.js';
import type { Grain, MetricDefinition } from '../metrics/schema.js';
import { GRAINS } from '../metrics/schema.js';
import type { TimeRangeName } from './schema.js';

export interface TimeRange {
  /** `15m`, `1h`, `24h`, `7d` or `custom`. */
  name: TimeRangeName | 'custom';
  from: Date;
  to: Date;
  /** The grain of series over this range. */
  grain: Grain;
}

const PRESETS: Record<TimeRangeName, { grain: Grain; steps: number }> = {
  '15m': { grain: 'minute', steps: 15 },
  '1h': { grain: 'minute', steps: 60 },
  '24h': { grain: 'hour', steps: 24 },
  '7d': { grain: 'hour', steps: 168 },
};

/** A preset range ending with the grain step that holds `now`. */
export function presetRange(name: TimeRangeName, now: Date = new Date()): TimeRange {
  const { grain, steps } = PRESETS[name];
  const to = shiftGrain(truncateToGrain(now, grain), grain, 1);
  return { name, from: shiftGrain(to, grain, -steps), to, grain };
}

/** A custom range; the grain gives at most about 200 points. */
export function customRange(from: Date, to: Date): TimeRange {
  const span = to.getTime() - from.getTime();
  const grain: Grain = span <= 4 * 3_600_000 ? 'minute' : span <= 14 * 86_400_000 ? 'hour' : 'day';
  return { name: 'custom', from, to, grain };
}

/**
 * Parses what a user types for a custom range: `6h` or `3d` (the last 6 hours or 3 days), or
 * two ISO times `2026-11-24T00:00 2026-11-25T00:00` (UTC when no offset is given).
 */
export function parseCustomRange(text: string, now: Date = new Date()): TimeRange | string {
  const trimmed = text.trim();
  const relative = /^(\d+)\s*(m|h|d)$/.exec(trimmed);
  if (relative) {
    const ms = Number(relative[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
    if (ms <= 0) return 'the range must be longer than 0';
    return customRange(new Date(now.getTime() - ms), now);
  }
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 2) return 'type a span such as 6h or 3d, or two times: 2026-11-24T00:00 2026-11-25T00:00';
  const [from, to] = parts.map((part) => new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(part) ? part : `${part}Z`));
  if (Number.isNaN(from!.getTime()) || Number.isNaN(to!.getTime())) return `not a time: ${Number.isNaN(from!.getTime()) ? parts[0] : parts[1]}`;
  if (!(from! < to!)) return 'the start must be before the end';
  return customRange(from!, to!);
}

/** The grain closest to `wanted` that the metric allows (the next coarser one, else its finest). */
export function grainFor(metric: MetricDefinition, wanted: Grain): Grain {
  const start = GRAINS.indexOf(wanted);
  for (let index = start; index < GRAINS.length; index++) if (metric.grains.includes(GRAINS[index]!)) return GRAINS[index]!;
  return metric.grains[metric.grains.length - 1]!;
}

/** The range realigned to a coarser grain (so every bucket is whole). */
export function alignRange(range: TimeRange, grain: Grain): { from: Date; to: Date } {
  if (grain === range.grain) return { from: range.from, to: range.to };
  const to = shiftGrain(truncateToGrain(new Date(range.to.getTime() - 1), grain), grain, 1);
  const from = truncateToGrain(range.from, grain);
  return { from, to };
}

/** `12:05`, `24 Nov 12:00`, by how long the range is. */
export function formatTick(iso: string, grain: Grain): string {
  const date = new Date(iso);
  const hh = String(date.getUTCHours()).padStart(2, '0');
  const mm = String(date.getUTCMinutes()).padStart(2, '0');
  if (grain === 'minute') return `${hh}:${mm}`;
  const day = `${date.getUTCDate()} ${date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })}`;
  return grain === 'hour' ? `${day} ${hh}:00` : day;
}

export function describeRange(range: TimeRange): string {
  if (range.name !== 'custom') return `last ${range.name}`;
  const short = (date: Date) => date.toISOString().slice(0, 16).replace('T', ' ');
  return `${short(range.from)} – ${short(range.to)} UTC`;
}
