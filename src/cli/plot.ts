/** Terminal charts with asciichart: a series, optionally a band, and marked points. */
import asciichart from 'asciichart';

export interface PlotOptions {
  /** Extra series drawn with the main one (e.g. lower and upper bounds), same length. */
  bands?: number[][];
  /** Indexes to mark under the chart (anomalies). */
  marks?: number[];
  height?: number;
  width?: number;
  color?: boolean;
}

/** Down-samples to the width so a long series fits the terminal. */
function fit(values: readonly number[], width: number): { values: number[]; step: number } {
  if (values.length <= width) return { values: [...values], step: 1 };
  const step = Math.ceil(values.length / width);
  const out: number[] = [];
  for (let index = 0; index < values.length; index += step) out.push(values[index]!);
  return { values: out, step };
}

export function plotSeries(values: readonly number[], options: PlotOptions = {}): string {
  const width = options.width ?? Math.max(20, Math.min(120, (process.stdout.columns ?? 100) - 14));
  const main = fit(values, width);
  const series = [main.values, ...(options.bands ?? []).map((band) => fit(band, width).values)];
  const colors = options.color ? [asciichart.default, asciichart.blue, asciichart.blue] : undefined;
  const chart = asciichart.plot(series, { height: options.height ?? 12, ...(colors ? { colors } : {}) });
  if (!options.marks || options.marks.length === 0) return chart;
  const offset = chart.split('\n')[0]!.indexOf('┤') + 1 || chart.split('\n')[0]!.indexOf('┼') + 1;
  const line = Array.from({ length: main.values.length }, () => ' ');
  for (const mark of options.marks) line[Math.floor(mark / main.step)] = '▲';
  return `${chart}\n${' '.repeat(Math.max(0, offset))}${line.join('')}  ▲ anomaly`;
}
