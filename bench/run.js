#!/usr/bin/env node
/**
 * `npm run bench`: measures side by side in one run and writes bench/results/latest.json.
 *
 * - file ingest of 1,000,000 generated transaction events (NDJSON → validated, enriched lake)
 *   against DuckDB alone converting the same file to Parquet with read_json; rates, ratio and
 *   peak memory of each;
 * - peak memory of file ingest on a million events of four types, without and with the scaffold's
 *   five stream jobs (BENCH_MIXED=0 skips it): the "under 1 GiB for a file of any size" target
 *   in a default workspace;
 * - peak memory of file ingest on a million transactions with 15% bad records (BENCH_DIRTY=0
 *   skips it): the general path and 150,000 dead letters;
 * - `analytics --help` latency (median of 7 runs);
 * - the default ETL pipelines over 10M events vs the same SQL run directly, and `analytics check`
 *   (bench/etl.js; BENCH_ETL=0 skips it, BENCH_ETL_EVENTS sets the size).
 * - Kafka ingest against kcat and event-to-lake latency (BENCH_KAFKA=0 skips them), and the
 *   10-minute Kafka soak with memory sampled every 10 s (opt-in: BENCH_SOAK=1; BENCH_SOAK_SECONDS,
 *   BENCH_SOAK_RATE).
 *
 * Each measurement runs in its own process, best of BENCH_RUNS (default 3). CPU seconds are
 * reported beside wall time: on a shared machine they vary less.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { generateRecords, writeNdjson } from '../dist/pipelines/generate/index.js';
import { benchKafka } from './kafka.js';
import { benchKafkaLatency } from './kafka-latency.js';
import { benchKafkaSoak } from './kafka-soak.js';
import { benchAnalyticsQuality } from './analytics-quality.js';
import { benchMetricsLatency } from './metrics-latency.js';
import { benchEtl } from './etl.js';
import { benchDashboard } from './dashboard.js';
import { benchStreams } from './streams.js';
import { benchFeedLatency } from './streams-feed-latency.js';

const COUNT = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const dataDir = path.join(os.tmpdir(), 'analytics-bench');
mkdirSync(dataDir, { recursive: true });
const input = path.join(dataDir, `transactions-${COUNT}-seed1.ndjson`);

/** Generates a day of events (seed 1) into `file` unless it is there from an earlier run. */
async function ensureGenerated(file, what, types, badRatio) {
  if (existsSync(file)) return;
  console.error(`generating ${COUNT.toLocaleString('en-US')} ${what} into ${file} …`);
  const stream = createWriteStream(file);
  await writeNdjson(generateRecords({ seed: 1, count: COUNT, ...(types ? { types } : {}), ...(badRatio ? { badRatio } : {}), start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z') }), stream);
  stream.end();
  await once(stream, 'finish');
}
await ensureGenerated(input, 'transaction events', ['transaction']);

function measure(kind, file = input, runCount = RUNS) {
  const runs = [];
  for (let run = 0; run < runCount; run++) {
    const output = execFileSync('node', [path.join('bench', 'measure.js'), kind, file, path.join(dataDir, `work-${kind}`)], { encoding: 'utf8' });
    runs.push(JSON.parse(output.trim().split('\n').at(-1)));
  }
  const best = runs.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
  const cpuSeconds = Math.min(...runs.map((r) => r.cpuSeconds));
  return { ...best, cpuSeconds, rate: best.records / best.seconds, peakMiB: Math.max(...runs.map((r) => r.maxRssMiB)) };
}

const baseline = measure('duckdb-read-json');
const ours = measure('analytics-ingest');

// A million events of four types, one day: without and with the scaffold's stream jobs (peak memory above all).
let mixed;
if (process.env.BENCH_MIXED !== '0') {
  const mixedInput = path.join(dataDir, `mixed-${COUNT}-seed1.ndjson`);
  await ensureGenerated(mixedInput, 'events of four types');
  mixed = { plain: measure('analytics-ingest', mixedInput), streams: measure('analytics-ingest-streams', mixedInput, Math.min(RUNS, 2)) };
}

// A million transactions with 15% bad records (general path, 150,000 dead letters): peak memory.
let dirty;
if (process.env.BENCH_DIRTY !== '0') {
  const dirtyInput = path.join(dataDir, `transactions-bad15-${COUNT}-seed1.ndjson`);
  await ensureGenerated(dirtyInput, 'transaction events, 15% of them bad', ['transaction'], 0.15);
  dirty = measure('analytics-ingest', dirtyInput, Math.min(RUNS, 2));
}

const helpTimes = [];
for (let run = 0; run < 7; run++) {
  const started = performance.now();
  execFileSync('node', ['bin/run.js', '--help'], { stdio: 'ignore' });
  helpTimes.push(performance.now() - started);
}
helpTimes.sort((a, b) => a - b);
const helpMs = helpTimes[3];

// Kafka ingest vs kcat reading the same topic (issue 3); BENCH_KAFKA=0 skips it.
const kafka = process.env.BENCH_KAFKA === '0' ? undefined : await benchKafka(input, COUNT);
const kafkaLatency = process.env.BENCH_KAFKA === '0' ? undefined : await benchKafkaLatency();
// 10-minute soak at steady load, memory sampled every 10 s; opt-in (BENCH_SOAK=1), it takes long.
const kafkaSoak = process.env.BENCH_SOAK === '1' ? await benchKafkaSoak() : undefined;

// Anomaly detection and forecast quality on generated data (issue 6); BENCH_QUALITY=0 skips it.
const quality = process.env.BENCH_QUALITY === '0' ? undefined : await benchAnalyticsQuality();

// metrics query over 10M events, cold and cached (issue 6); BENCH_METRICS=0 skips it.
const metricsLatency = process.env.BENCH_METRICS === '0' ? undefined : await benchMetricsLatency();

// Default pipelines over 10M events vs the same SQL run directly, and analytics check (issue 5); BENCH_ETL=0 skips it.
const etl = process.env.BENCH_ETL === '0' ? undefined : await benchEtl();
// The terminal dashboard: frame time, memory under live updates, idle CPU (issue 7); BENCH_DASHBOARD=0 skips it.
const dashboard = process.env.BENCH_DASHBOARD === '0' ? undefined : await benchDashboard();
// Stream jobs in ingest, side by side with plain ingest (issue 4); BENCH_STREAMS=0 skips it.
const streams = process.env.BENCH_STREAMS === '0' ? undefined : await benchStreams(RUNS);
const feedLatency = process.env.BENCH_STREAMS === '0' || process.env.BENCH_KAFKA === '0' ? undefined : await benchFeedLatency();

const ratio = ours.rate / baseline.rate;
const results = [
  { name: 'file_ingest_rate', value: Math.round(ours.rate), unit: 'events/s', baseline: 'duckdb_read_json_to_parquet', baseline_value: Math.round(baseline.rate), ratio: Number(ratio.toFixed(3)), events: COUNT, target_ratio: 0.7 },
  { name: 'file_ingest_cpu', value: Number(ours.cpuSeconds.toFixed(2)), unit: 'cpu_s', baseline: 'duckdb_read_json_to_parquet', baseline_value: Number(baseline.cpuSeconds.toFixed(2)), ratio: Number((baseline.cpuSeconds / ours.cpuSeconds).toFixed(3)), events: COUNT },
  { name: 'file_ingest_peak_memory', value: Math.round(ours.peakMiB), unit: 'MiB', baseline: 'duckdb_read_json_to_parquet', baseline_value: Math.round(baseline.peakMiB), ratio: Number((ours.peakMiB / baseline.peakMiB).toFixed(3)), target_max: 1024 },
  ...(mixed ? [
    { name: 'file_ingest_mixed_rate', value: Math.round(mixed.plain.rate), unit: 'events/s', events: COUNT, types: 4, cpu_seconds: Number(mixed.plain.cpuSeconds.toFixed(2)), peak_mib: Math.round(mixed.plain.peakMiB) },
    { name: 'file_ingest_mixed_with_stream_jobs_peak_memory', value: Math.round(mixed.streams.peakMiB), unit: 'MiB', events: COUNT, types: 4, jobs: 5, rate: Math.round(mixed.streams.rate), target_max: 1024 },
  ] : []),
  ...(dirty ? [{ name: 'file_ingest_dirty_peak_memory', value: Math.round(dirty.peakMiB), unit: 'MiB', events: COUNT, bad_ratio: 0.15, rate: Math.round(dirty.rate), target_max: 1024 }] : []),
  { name: 'cli_help_latency', value: Math.round(helpMs), unit: 'ms', target_max: 300 },
  ...(kafka ? [{ name: 'kafka_ingest_rate', value: Math.round(kafka.oursRate), unit: 'events/s', baseline: 'kcat_consume_to_dev_null', baseline_value: Math.round(kafka.kcatRate), ratio: Number((kafka.oursRate / kafka.kcatRate).toFixed(3)), events: COUNT, target_ratio: 0.5, target_min: 150000 },
    ...(kafka.steadyRate ? [{ name: 'kafka_ingest_steady_rate', value: Math.round(kafka.steadyRate), unit: 'events/s', baseline: 'kcat_consume_to_dev_null', baseline_value: Math.round(kafka.kcatRate), ratio: Number((kafka.steadyRate / kafka.kcatRate).toFixed(3)), batches: kafka.steadyBatches, note: 'between the first and the last full batch: without start-up and the last partial batch' }] : [])] : []),
  ...(kafkaLatency ? [{ name: 'kafka_event_to_lake_p99', value: Math.round(kafkaLatency.p99Ms), unit: 'ms', rate: kafkaLatency.rate, p50: Math.round(kafkaLatency.p50Ms), max: kafkaLatency.maxMs, events: kafkaLatency.measured, target_max: 3000 }] : []),
  ...(kafkaSoak ? [{ name: 'kafka_soak_rss_slope', value: Number(kafkaSoak.slopeMiBPerMinute.toFixed(2)), unit: 'MiB/min', rate: kafkaSoak.rate, seconds: kafkaSoak.seconds, sent: kafkaSoak.sent, stored: kafkaSoak.stored, peak_mib: Math.round(kafkaSoak.peakMiB), samples: kafkaSoak.samples }] : []),
  ...(metricsLatency ? [
    { name: 'metrics_query_cold', value: Math.round(metricsLatency.coldSeconds * 1000), unit: 'ms', events: metricsLatency.events, target_max: 1000 },
    { name: 'metrics_query_cached', value: Math.round(metricsLatency.cachedSeconds * 1000), unit: 'ms', events: metricsLatency.events, target_max: 50 },
  ] : []),
  ...(etl ? [
    { name: 'etl_default_pipelines', value: Number(etl.etlSeconds.toFixed(2)), unit: 's', baseline: 'same_step_sql_in_one_duckdb_script', baseline_value: Number(etl.baselineSeconds.toFixed(2)), ratio: Number(etl.ratio.toFixed(3)), events: etl.events, rows_out: etl.rowsOut, target_ratio_max: 1.3 },
    { name: 'check_default_checks', value: Number(etl.checkSeconds.toFixed(2)), unit: 's', checks: etl.checks, failed: etl.checksFailed, events: etl.events, target_max: 5 },
  ] : []),
  ...(dashboard ? [
    { name: 'dashboard_frame_cpu_ms', value: Number(dashboard.frames.cpuMedianMs.toFixed(1)), unit: 'ms', p95: Number(dashboard.frames.cpuP95Ms.toFixed(1)), wall_median_ms: Number(dashboard.frames.medianMs.toFixed(1)), size: '200x60', target_max: 50 },
    { name: 'dashboard_soak_rss', value: dashboard.soak.rssMiB.max, unit: 'MiB', seconds: dashboard.soak.seconds, updates_per_second: 10, slope_mib_per_hour: dashboard.soak.rssSlopeMiBPerHour, extrapolated_hour_mib: dashboard.soak.rssExtrapolatedHourMiB, target_max: 200 },
    { name: 'dashboard_idle_cpu', value: Number(dashboard.idle.cpuShare.toFixed(3)), unit: 'share of one core', seconds: Math.round(dashboard.idle.seconds), target_max: 0.15 },
  ] : []),
  ...(streams ? [
    ...(feedLatency ? [{ name: 'stream_feed_window_close_to_push_p99', value: Math.round(feedLatency.p99Ms), unit: 'ms', p50: Math.round(feedLatency.p50Ms), max: feedLatency.maxLatencyMs, windows: feedLatency.windows, rate: feedLatency.rate, batch_max_ms: feedLatency.maxMs, target_max: 1000 }] : []),
    { name: 'stream_jobs_ingest_rate', value: Math.round(streams.streamsRate), unit: 'events/s', baseline: 'ingest_without_stream_jobs', baseline_value: Math.round(streams.plainRate), ratio: Number(streams.ratio.toFixed(3)), events: streams.events, batch: streams.batch, cpu_seconds: Number(streams.streamsCpuSeconds.toFixed(2)), baseline_cpu_seconds: Number(streams.plainCpuSeconds.toFixed(2)), target_min: 100000, target_ratio: 0.6 },
  ] : []),
  ...(quality ? [
    { name: 'anomaly_precision', value: Number(quality.precision.toFixed(3)), unit: 'ratio', detector: quality.detector, target_min: 0.8, sets: quality.sets.map(({ seed, days, precision, recall }) => ({ seed, days, precision, recall })) },
    { name: 'anomaly_recall', value: Number(quality.recall.toFixed(3)), unit: 'ratio', detector: quality.detector, target_min: 0.8 },
    ...quality.sets.map((set) => ({ name: `forecast_mase_${set.days}d`, value: Number(set.forecast.mase.toFixed(3)), unit: 'MASE', baseline: 'seasonal_naive', baseline_value: Number(set.forecast.baselineMase.toFixed(3)), ratio: Number((set.forecast.mase / set.forecast.baselineMase).toFixed(3)), season_length: set.forecast.seasonLength })),
  ] : []),
];
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', `${JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, results }, null, 2)}\n`);

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`\nFile ingest, ${fmt(COUNT)} transaction events (${RUNS} runs each, best shown)`);
console.log(`  DuckDB read_json → Parquet (no validation)  ${fmt(baseline.rate).padStart(10)} events/s  ${baseline.seconds.toFixed(2)} s  peak ${fmt(baseline.peakMiB)} MiB`);
console.log(`  analytics ingest file (validate, enrich…)   ${fmt(ours.rate).padStart(10)} events/s  ${ours.seconds.toFixed(2)} s  peak ${fmt(ours.peakMiB)} MiB`);
console.log(`  ratio ${ratio.toFixed(2)}× (target ≥ 0.70×); CPU seconds ${baseline.cpuSeconds.toFixed(1)} vs ${ours.cpuSeconds.toFixed(1)}: ${(baseline.cpuSeconds / ours.cpuSeconds).toFixed(2)}×`);
if (mixed) {
  console.log(`\nFile ingest, ${fmt(COUNT)} events of four types (a fast pass per table from 128 MiB)`);
  console.log(`  without stream jobs                         ${fmt(mixed.plain.rate).padStart(10)} events/s  ${mixed.plain.seconds.toFixed(2)} s  peak ${fmt(mixed.plain.peakMiB)} MiB`);
  console.log(`  with the scaffold's five stream jobs        ${fmt(mixed.streams.rate).padStart(10)} events/s  ${mixed.streams.seconds.toFixed(2)} s  peak ${fmt(mixed.streams.peakMiB)} MiB (target < 1,024 MiB)`);
}
if (dirty) {
  console.log(`\nFile ingest, ${fmt(COUNT)} transaction events, 15% of them bad (general path)`);
  console.log(`  analytics ingest file                       ${fmt(dirty.rate).padStart(10)} events/s  ${dirty.seconds.toFixed(2)} s  peak ${fmt(dirty.peakMiB)} MiB (target < 1,024 MiB)`);
}
if (kafka) {
  console.log(`\nKafka ingest, ${fmt(COUNT)} transaction events, 3 partitions, one daemon`);
  console.log(`  kcat -C to /dev/null (raw read)              ${fmt(kafka.kcatRate).padStart(10)} events/s  ${kafka.kcatSeconds.toFixed(2)} s`);
  console.log(`  analytics ingest kafka (validate … commit)  ${fmt(kafka.oursRate).padStart(10)} events/s  ${kafka.oursSeconds.toFixed(2)} s`);
  console.log(`  ratio ${(kafka.oursRate / kafka.kcatRate).toFixed(2)}× (target ≥ 0.50× and ≥ 150,000 events/s)`);
  if (kafka.steadyRate) console.log(`  steady, first to last full batch (${kafka.steadyBatches})   ${fmt(kafka.steadyRate).padStart(10)} events/s  ratio ${(kafka.steadyRate / kafka.kcatRate).toFixed(2)}×`);
}
if (kafkaLatency) {
  console.log(`  event to lake at ${fmt(kafkaLatency.rate)} events/s: p50 ${fmt(kafkaLatency.p50Ms)} ms, p99 ${fmt(kafkaLatency.p99Ms)} ms, max ${fmt(kafkaLatency.maxMs)} ms (target p99 < 3,000 ms)`);
}
if (kafkaSoak) {
  console.log(`  soak ${fmt(kafkaSoak.seconds)} s at ${fmt(kafkaSoak.rate)} events/s: RSS ${kafkaSoak.samples[0].rssMiB.toFixed(0)} → ${kafkaSoak.samples.at(-1).rssMiB.toFixed(0)} MiB (peak ${kafkaSoak.peakMiB.toFixed(0)}), slope over the second half ${kafkaSoak.slopeMiBPerMinute.toFixed(2)} MiB/min; stored ${fmt(kafkaSoak.stored)} of ${fmt(kafkaSoak.sent)}`);
}
if (streams) {
  console.log(`\nStream jobs: ${fmt(streams.events)} generated events of four types in batches of ${fmt(streams.batch)}, the five default jobs`);
  console.log(`  ingest without stream jobs                 ${fmt(streams.plainRate).padStart(10)} events/s  ${streams.plainSeconds.toFixed(2)} s  ${streams.plainCpuSeconds.toFixed(1)} CPU s  peak ${fmt(streams.plainPeakMiB)} MiB`);
  console.log(`  ingest with the five default jobs          ${fmt(streams.streamsRate).padStart(10)} events/s  ${streams.streamsSeconds.toFixed(2)} s  ${streams.streamsCpuSeconds.toFixed(1)} CPU s  peak ${fmt(streams.streamsPeakMiB)} MiB`);
  console.log(`  ratio ${streams.ratio.toFixed(2)}× (targets ≥ 0.60× and ≥ 100,000 events/s)`);
}
if (feedLatency) {
  console.log(`  live feed, window end → result at a WebSocket client, ${fmt(feedLatency.rate)} events/s, batch max_ms ${feedLatency.maxMs}: p50 ${fmt(feedLatency.p50Ms)} ms, p99 ${fmt(feedLatency.p99Ms)} ms, max ${fmt(feedLatency.maxLatencyMs)} ms over ${fmt(feedLatency.windows)} windows (target p99 < 1,000 ms)`);
}
if (metricsLatency) {
  console.log(`\nmetrics query transaction_volume --by country --grain day over ${fmt(metricsLatency.events)} events`);
  console.log(`  cold ${(metricsLatency.coldSeconds * 1000).toFixed(0)} ms (target < 1000), cached ${(metricsLatency.cachedSeconds * 1000).toFixed(0)} ms (target < 50)`);
}
if (etl) {
  console.log(`\nETL: the default pipelines over ${fmt(etl.events)} events (${fmt(etl.rowsOut)} rows written)`);
  console.log(`  same step SQL run directly by DuckDB, one script  ${etl.baselineSeconds.toFixed(2)} s`);
  console.log(`  analytics etl run                                 ${etl.etlSeconds.toFixed(2)} s`);
  console.log(`  ratio ${etl.ratio.toFixed(2)}× (target ≤ 1.30×)`);
  console.log(`  analytics check, ${etl.checks} default checks: ${etl.checkSeconds.toFixed(2)} s (target < 5 s), ${etl.checksFailed} failed`);
}
if (quality) {
  console.log(`\nAnomaly detection (${quality.detector}, default) on ${quality.anomalies} injected anomalies in ${quality.sets.length} generated data sets`);
  console.log(`  pooled precision ${quality.precision.toFixed(2)}, recall ${quality.recall.toFixed(2)} (targets ≥ 0.80)`);
  for (const set of quality.sets) console.log(`  seed ${set.seed}, ${set.days} days: precision ${set.precision.toFixed(2)}, recall ${set.recall.toFixed(2)}; Holt-Winters MASE ${set.forecast.mase.toFixed(3)} vs seasonal-naive ${set.forecast.baselineMase.toFixed(3)}`);
}
if (dashboard) {
  console.log('\nanalytics dashboard, default dashboard at 200×60');
  console.log(`  frame: CPU ${dashboard.frames.cpuMedianMs.toFixed(1)} ms median, ${dashboard.frames.cpuP95Ms.toFixed(1)} ms p95 (wall ${dashboard.frames.medianMs.toFixed(1)} ms on this machine's load) (target < 50 ms)`);
  console.log(`  memory over ${dashboard.soak.seconds} s of 10 live updates/s: RSS max ${dashboard.soak.rssMiB.max} MiB, slope ${dashboard.soak.rssSlopeMiBPerHour} MiB/h, extrapolated to 1 h ${dashboard.soak.rssExtrapolatedHourMiB} MiB (target < 200 MiB)`);
  console.log(`  idle CPU: ${(dashboard.idle.cpuShare * 100).toFixed(1)}% of one core over ${Math.round(dashboard.idle.seconds)} s (target < 15%)`);
}
console.log(`\nanalytics --help: ${helpMs.toFixed(0)} ms median of 7 (target < 300 ms)`);
console.log('\nwrote bench/results/latest.json');
