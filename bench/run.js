#!/usr/bin/env node
/**
 * `npm run bench`: measures side by side in one run and writes bench/results/latest.json.
 *
 * - file ingest of 1,000,000 generated transaction events (NDJSON → validated, enriched lake)
 *   against DuckDB alone converting the same file to Parquet with read_json; rates, ratio and
 *   peak memory of each;
 * - `analytics --help` latency (median of 7 runs).
 *
 * Each measurement runs in its own process, best of BENCH_RUNS (default 3).
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { generateRecords, writeNdjson } from '../dist/pipelines/generate/index.js';

const COUNT = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const dataDir = path.join(os.tmpdir(), 'analytics-bench');
mkdirSync(dataDir, { recursive: true });
const input = path.join(dataDir, `transactions-${COUNT}-seed1.ndjson`);

if (!existsSync(input)) {
  console.error(`generating ${COUNT.toLocaleString('en-US')} transaction events into ${input} …`);
  const stream = createWriteStream(input);
  await writeNdjson(generateRecords({ seed: 1, count: COUNT, types: ['transaction'], start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z') }), stream);
  stream.end();
  await once(stream, 'finish');
}

function measure(kind) {
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    const output = execFileSync('node', [path.join('bench', 'measure.js'), kind, input, path.join(dataDir, `work-${kind}`)], { encoding: 'utf8' });
    runs.push(JSON.parse(output.trim().split('\n').at(-1)));
  }
  const best = runs.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
  return { ...best, rate: best.records / best.seconds, peakMiB: Math.max(...runs.map((r) => r.maxRssMiB)) };
}

const baseline = measure('duckdb-read-json');
const ours = measure('analytics-ingest');

const helpTimes = [];
for (let run = 0; run < 7; run++) {
  const started = performance.now();
  execFileSync('node', ['bin/run.js', '--help'], { stdio: 'ignore' });
  helpTimes.push(performance.now() - started);
}
helpTimes.sort((a, b) => a - b);
const helpMs = helpTimes[3];

const ratio = ours.rate / baseline.rate;
const results = [
  { name: 'file_ingest_rate', value: Math.round(ours.rate), unit: 'events/s', baseline: 'duckdb_read_json_to_parquet', baseline_value: Math.round(baseline.rate), ratio: Number(ratio.toFixed(3)), events: COUNT, target_ratio: 0.7 },
  { name: 'file_ingest_peak_memory', value: Math.round(ours.peakMiB), unit: 'MiB', baseline: 'duckdb_read_json_to_parquet', baseline_value: Math.round(baseline.peakMiB), ratio: Number((ours.peakMiB / baseline.peakMiB).toFixed(3)), target_max: 1024 },
  { name: 'cli_help_latency', value: Math.round(helpMs), unit: 'ms', target_max: 300 },
];
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', `${JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, results }, null, 2)}\n`);

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`\nFile ingest, ${fmt(COUNT)} transaction events (${RUNS} runs each, best shown)`);
console.log(`  DuckDB read_json → Parquet (no validation)  ${fmt(baseline.rate).padStart(10)} events/s  ${baseline.seconds.toFixed(2)} s  peak ${fmt(baseline.peakMiB)} MiB`);
console.log(`  analytics ingest file (validate, enrich…)   ${fmt(ours.rate).padStart(10)} events/s  ${ours.seconds.toFixed(2)} s  peak ${fmt(ours.peakMiB)} MiB`);
console.log(`  ratio ${ratio.toFixed(2)}× (target ≥ 0.70×)`);
console.log(`\nanalytics --help: ${helpMs.toFixed(0)} ms median of 7 (target < 300 ms)`);
console.log('\nwrote bench/results/latest.json');
