#!/usr/bin/env node
/**
 * Event-to-lake latency of `analytics ingest kafka` (issue 3): events produced at a steady rate
 * (default 10,000/s for 20 s), each stamped with its produce time as `occurred_at`; an event is
 * visible when the snapshot that adds its file is committed (`committedAt`; files record the
 * version that added them). Reports p50, p99 and max. Real broker on port 19393.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '../dist/duckdb/engine.js';
import { literal } from '../dist/duckdb/sql.js';
import { benchPort, produceSteadily, stampedTransaction, withKafkaDaemon } from './kafka-harness.js';

const PORT = benchPort(19393);

export async function benchKafkaLatency({ rate = 10_000, seconds = 20 } = {}) {
  // Measured without the scaffold's stream jobs (bench/streams.js measures those).
  const prepare = (workspace) => rmSync(path.join(workspace, 'streams.yaml'), { force: true });
  return withKafkaDaemon({ port: PORT, partitions: 3, prepare }, async ({ kafka, workspace }) => {
    const sent = await produceSteadily(kafka, { rate, seconds, tickMs: 100, event: (index, now) => stampedTransaction(`lat-${index}`, index, now) });
    const lakeRoot = path.join(workspace, 'lake');
    const stored = () => {
      const names = readdirSync(path.join(lakeRoot, '_snapshots')).filter((name) => name.endsWith('.json')).sort();
      return JSON.parse(readFileSync(path.join(lakeRoot, '_snapshots', names.at(-1)), 'utf8')).files.filter((f) => f.table === 'transactions').reduce((sum, f) => sum + f.rows, 0);
    };
    while (stored() < sent) await sleep(200);
    // Each file's visibility time is the committedAt of the version that added it.
    const snapshots = readdirSync(path.join(lakeRoot, '_snapshots')).filter((name) => name.endsWith('.json')).map((name) => JSON.parse(readFileSync(path.join(lakeRoot, '_snapshots', name), 'utf8')));
    const committedAt = new Map(snapshots.map((snapshot) => [snapshot.version, snapshot.committedAt]));
    const files = snapshots.at(-1).files.filter((file) => file.table === 'transactions');
    const engine = await Engine.open();
    const values = files.map((file) => `(${literal(path.join(lakeRoot, file.path))}, TIMESTAMPTZ ${literal(committedAt.get(file.addedIn))})`).join(', ');
    await engine.run(`CREATE TABLE visible (file VARCHAR, visible_at TIMESTAMPTZ); INSERT INTO visible VALUES ${values}`);
    const [row] = await engine.rows(`SELECT count(*) AS n, quantile_cont(ms, 0.5) AS p50, quantile_cont(ms, 0.99) AS p99, max(ms) AS max FROM (
      SELECT epoch_ms(v.visible_at) - epoch_ms(t.occurred_at) AS ms FROM read_parquet([${files.map((file) => literal(path.join(lakeRoot, file.path))).join(', ')}], filename = true) t JOIN visible v ON v.file = t.filename)`);
    engine.close();
    return { rate, seconds, sent, measured: row.n, p50Ms: row.p50, p99Ms: row.p99, maxMs: row.max };
  });
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  console.log(await benchKafkaLatency());
}
