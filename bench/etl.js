#!/usr/bin/env node
/**
 * ETL benchmark (issue 5): the default pipelines of pipelines.yaml over generated events (all
 * four types; 10 million by default, BENCH_ETL_EVENTS to change), in the same run:
 *
 * - `analytics etl run` as a process, wall time, on a fresh copy of the events-only lake;
 * - the same step SQL executed directly by DuckDB in one script (bench/etl-baseline.js, its own
 *   process): lake views, then each step's SELECT written to Parquet in plan order, nothing else;
 * - `analytics check` with the default checks on the warehouse just built.
 *
 * The events workspace is built once (ten generated parts ingested one by one) and kept in
 * $TMPDIR/analytics-bench; each measurement gets a copy whose lake files are hard links.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { generateRecords, writeNdjson } from '../dist/pipelines/generate/index.js';
import { ingestFiles } from '../dist/pipelines/ingest/file-ingest.js';
import { initWorkspace } from '../dist/workspace/init.js';
import { openWorkspace } from '../dist/workspace/workspace.js';

const bin = path.resolve('bin', 'run.js');

async function eventsWorkspace(events, parts) {
  const dir = path.join(os.tmpdir(), 'analytics-bench', `etl-events-${events}`);
  if (existsSync(path.join(dir, 'ready'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await initWorkspace(dir);
  const workspace = await openWorkspace({ workspace: dir });
  const start = Date.UTC(2026, 9, 1);
  const chunk = Math.ceil(events / parts);
  for (let part = 0; part < parts; part++) {
    console.error(`building the ${events.toLocaleString('en-US')}-event workspace: part ${part + 1} of ${parts} …`);
    const file = path.join(dir, `part-${part}.ndjson`);
    const stream = createWriteStream(file);
    // Each part is three days of the thirty; all four event types.
    const from = new Date(start + part * 3 * 86_400_000);
    await writeNdjson(generateRecords({ seed: 500 + part, count: chunk, start: from, end: new Date(from.getTime() + 3 * 86_400_000) }), stream);
    stream.end();
    await once(stream, 'finish');
    await ingestFiles(workspace, { paths: [file], maxErrors: -1 });
    rmSync(file);
  }
  writeFileSync(path.join(dir, 'ready'), '');
  return dir;
}

/** A workspace sharing the events' lake files (hard links): the lake never rewrites a file. */
function freshCopy(source, name) {
  const dir = path.join(os.tmpdir(), 'analytics-bench', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('cp', ['-al', path.join(source, 'lake'), path.join(dir, 'lake')]);
  for (const file of ['analytics.yaml', 'metrics.yaml']) copyFileSync(path.join(source, file), path.join(dir, file));
  execFileSync('cp', ['-r', path.join(source, 'reference'), path.join(dir, 'reference')]);
  copyFileSync('pipelines.yaml', path.join(dir, 'pipelines.yaml'));
  return dir;
}

function timed(args, cwd) {
  const started = performance.now();
  const output = execFileSync('node', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 2 ** 20 });
  return { seconds: (performance.now() - started) / 1000, output };
}

export async function benchEtl({ events = Number(process.env.BENCH_ETL_EVENTS ?? 10_000_000), runs = Number(process.env.BENCH_ETL_RUNS ?? 3) } = {}) {
  const source = await eventsWorkspace(events, 10);
  // Each side's best of `runs` (as the file ingest bench does): the machine's noise is ±20 % a run.
  const baselineTimes = [];
  const etlTimes = [];
  let last;
  for (let run = 0; run < runs; run++) {
    const baselineDir = freshCopy(source, 'etl-baseline');
    baselineTimes.push(timed([path.resolve('bench', 'etl-baseline.js'), baselineDir], baselineDir).seconds);
    const oursDir = freshCopy(source, 'etl-ours');
    const ours = timed([bin, 'etl', 'run', '--format', 'json'], oursDir);
    const result = JSON.parse(ours.output);
    if (result.status !== 'succeeded') throw new Error(`etl run failed: ${result.error?.message}`);
    etlTimes.push(ours.seconds);
    const check = timed([bin, 'check', '--format', 'json'], oursDir);
    const checks = JSON.parse(check.output);
    const rowsOut = result.runs.flatMap((r) => r.partitions.flatMap((p) => p.steps)).reduce((sum, step) => sum + step.rowsOut, 0);
    last = { rowsOut, checkSeconds: Math.min(check.seconds, last?.checkSeconds ?? Infinity), checks: checks.results.length, checksFailed: checks.failed + checks.errored, checksSkipped: checks.skipped };
  }
  const baselineSeconds = Math.min(...baselineTimes);
  const etlSeconds = Math.min(...etlTimes);
  return { events, runs, baselineSeconds, etlSeconds, ratio: etlSeconds / baselineSeconds, baselineTimes, etlTimes, ...last };
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  const result = await benchEtl();
  console.log(JSON.stringify(result));
}
