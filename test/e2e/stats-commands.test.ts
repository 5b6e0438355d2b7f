/** `analytics stats …` as processes: on a metric of a real lake, on a CSV file, and on bad input. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, removeTempDirs, runCli } from '../support/cli.js';

describe('analytics stats', () => {
  let workspace: string;
  const range = ['--grain', 'hour', '--from', '2026-11-20', '--to', '2026-11-23'];

  beforeAll(async () => {
    workspace = await makeWorkspace();
    await runCli(['generate', '--start', '2026-11-20', '--end', '2026-11-23', '--rate', '0.2', '--out', 'events.ndjson'], { cwd: workspace });
    await runCli(['ingest', 'file', 'events.ndjson'], { cwd: workspace });
  });
  afterAll(() => removeTempDirs());

  it('anomalies --format json prints one object per input point', async () => {
    const result = await runCli(['stats', 'anomalies', 'transaction_count', ...range, '--format', 'json'], { cwd: workspace });
    expect(result.exitCode).toBe(0);
    const points = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(points).toHaveLength(72);
    for (const point of points) expect(Object.keys(point).sort()).toEqual(['anomaly', 'expected', 'score', 'timestamp', 'value']);
    expect(points[0]!.timestamp).toBe('2026-11-20T00:00:00.000Z');
    expect(points.some((point) => point.anomaly === true)).toBe(true); // the generator injects spikes
  });

  it('trend, patterns, forecast and backtest run on a metric', async () => {
    const trend = JSON.parse((await runCli(['stats', 'trend', 'transaction_count', ...range, '--format', 'json'], { cwd: workspace })).stdout);
    expect(trend.mannKendall.trend).toMatch(/increasing|decreasing|none/);
    const patterns = JSON.parse((await runCli(['stats', 'patterns', 'transaction_count', ...range, '--format', 'json'], { cwd: workspace })).stdout);
    expect(patterns.seasonality.dailyCycle.detected).toBe(true);
    const forecast = JSON.parse((await runCli(['stats', 'forecast', 'transaction_count', ...range, '--horizon', '12h', '--format', 'json'], { cwd: workspace })).stdout);
    expect(forecast.points).toHaveLength(12);
    expect(forecast.points[0].timestamp).toBe('2026-11-23T00:00:00.000Z');
    for (const point of forecast.points) expect(point.lower).toBeLessThanOrEqual(point.upper);
    const backtest = await runCli(['stats', 'backtest', 'transaction_count', ...range, '--horizon', '6h', '--origins', '2'], { cwd: workspace });
    expect(backtest.exitCode).toBe(0);
    expect(backtest.stdout).toMatch(/MASE/);
    const plot = await runCli(['stats', 'anomalies', 'transaction_count', ...range, '--plot'], { cwd: workspace });
    expect(plot.stdout).toMatch(/┤/);
  });

  it('reads any series from a CSV file', async () => {
    const rows = Array.from({ length: 60 }, (_, day) => `${new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10)},${100 + day + (day === 40 ? 80 : 0)}`);
    await writeFile(path.join(workspace, 'series.csv'), `day,sales\n${rows.join('\n')}\n`);
    const result = await runCli(['stats', 'anomalies', '--input', 'series.csv', '--time', 'day', '--value', 'sales', '--detector', 'robust_z', '--format', 'json'], { cwd: workspace });
    const flagged = (JSON.parse(result.stdout) as { timestamp: string; anomaly: boolean }[]).filter((point) => point.anomaly);
    expect(flagged.map((point) => point.timestamp)).toEqual(['2026-02-10T00:00:00.000Z']);
  });

  it('says how many points a method needs, and refuses values that are not numbers', async () => {
    await writeFile(path.join(workspace, 'short.csv'), 'day,sales\n2026-01-01,1\n2026-01-02,2\n');
    const short = await runCli(['stats', 'forecast', '--input', 'short.csv', '--time', 'day', '--value', 'sales'], { cwd: workspace });
    expect(short.exitCode).toBe(1);
    expect(short.stderr).toMatch(/needs at least \d+ points/);
    await writeFile(path.join(workspace, 'nan.csv'), 'day,sales\n2026-01-01,1\n2026-01-02,abc\n');
    const nan = await runCli(['stats', 'trend', '--input', 'nan.csv', '--time', 'day', '--value', 'sales'], { cwd: workspace });
    expect(nan.exitCode).toBe(1);
    expect(nan.stderr).toContain('"abc", not a finite number');
    const unknown = await runCli(['stats', 'trend', 'no_such_metric'], { cwd: workspace });
    expect(unknown.exitCode).toBe(1);
  });
});
