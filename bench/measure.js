#!/usr/bin/env node
// One measurement in its own process, so that peak memory (maxRSS) belongs to it alone.
// Usage: node bench/measure.js <kind> <input> <work-dir>; prints one JSON line.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../dist/duckdb/engine.js';
import { literal } from '../dist/duckdb/sql.js';
import { ingestFiles } from '../dist/pipelines/ingest/file-ingest.js';
import { initWorkspace } from '../dist/workspace/init.js';
import { openWorkspace } from '../dist/workspace/workspace.js';

const [kind, input, workDir] = process.argv.slice(2);
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
const started = performance.now();
const cpuStarted = process.cpuUsage();
let records = 0;
if (kind === 'duckdb-read-json') {
  // The baseline: DuckDB alone converting the same NDJSON to Parquet, no validation.
  const engine = await Engine.open({ memoryLimit: '512MB', tempDirectory: path.join(workDir, 'spill') });
  const [row] = await engine.rows(`COPY (SELECT * FROM read_json(${literal(input)}, format = 'newline_delimited')) TO ${literal(path.join(workDir, 'out.parquet'))} (FORMAT parquet)`);
  records = Number(row.Count);
  engine.close();
} else if (kind === 'analytics-ingest' || kind === 'analytics-ingest-streams') {
  await initWorkspace(workDir);
  // Plain ingest is measured without the scaffold's stream jobs; -streams runs all of them.
  if (kind === 'analytics-ingest') rmSync(path.join(workDir, 'streams.yaml'));
  const workspace = await openWorkspace({ workspace: workDir });
  // BENCH_FAST_PATH=0 measures the general (staged) path alone, for comparison.
  const summary = await ingestFiles(workspace, { paths: [input], maxErrors: -1, fastPath: process.env.BENCH_FAST_PATH !== '0' });
  if (summary.failures.length > 0) throw new Error(JSON.stringify(summary.failures));
  records = summary.read;
} else {
  throw new Error(`unknown measurement ${kind}`);
}
const seconds = (performance.now() - started) / 1000;
// CPU seconds of the process (DuckDB's threads included): steadier than wall time on a shared machine.
const cpu = process.cpuUsage(cpuStarted);
process.stdout.write(`${JSON.stringify({ kind, records, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
