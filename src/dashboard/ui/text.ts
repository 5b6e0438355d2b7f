/** Fitting text into cells (code points; the dashboard draws only single-width characters). */
import { formatMetricValue } from '../../metrics/format.js';
import type { ValueFormat } from '../data/types.js';

export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length <= width) return text + ' '.repeat(width - chars.length);
  return width === 1 ? '…' : `${chars.slice(0, width - 1).join('')}…`;
}

export function fitLeft(text: string, width: number): string {
  const chars = [...text];
  if (chars.length >= width) return fit(text, width);
  return ' '.repeat(width - chars.length) + text;
}

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 4 });
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value);
  // ISO times read better without the date part when the range is short; keep them whole but compact.
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text) ? text.slice(0, 19).replace('T', ' ') : text;
}

/** A value as people read it, short enough for a tile or an axis. */
export function formatValue(value: number | null | undefined, format: ValueFormat): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (format === 'currency' || format === 'number') {
    const abs = Math.abs(value);
    const suffix = format === 'currency' ? ' USD' : '';
    if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}B${suffix}`;
    if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M${suffix}`;
    if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k${suffix}`;
  }
  return formatMetricValue(value, format);
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** A sparkline of at most `width` points (the latest ones). */
export function sparkline(values: readonly number[], width: number): string {
  const shown = values.slice(-Math.max(1, width));
  if (shown.length === 0) return '';
  const min = Math.min(...shown);
  const max = Math.max(...shown);
  return shown.map((value) => SPARKS[max === min ? 3 : Math.round(((value - min) / (max - min)) * (SPARKS.length - 1))]).join('');
}

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

export function clock(date: Date): string {
  return date.toISOString().slice(11, 19);
}
