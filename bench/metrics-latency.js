#!/usr/bin/env node
/**
 * `metrics query` latency over 10 million events (issue 6): cold (no cache, fresh engine and
 * views) and from the cache. The 10M-event workspace is built once, ten generated files of 1M
 * transactions ingested one by one, and kept in $TMPDIR/analytics-bench for later runs.
 */
import { copyFileSync, createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { generateRecords, writeNdjson } from '../dist/pipelines/generate/index.js';
import { ingestFiles } from '../dist/pipelines/ingest/file-ingest.js';
import { queryMetric } from '../dist/metrics/service.js';
import { initWorkspace } from '../dist/workspace/init.js';
import { openWorkspace } from '../dist/workspace/workspace.js';

export async function benchMetricsLatency({ events = 10_000_000, chunk = 1_000_000 } = {}) {
  const dir = path.join(os.tmpdir(), 'analytics-bench', `metrics-${events}`);
  if (!existsSync(path.join(dir, 'ready'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await initWorkspace(dir);
    rmSync(path.join(dir, 'streams.yaml'), { force: true }); // no stream jobs here
    const workspace = await openWorkspace({ workspace: dir });
    const start = Date.UTC(2026, 9, 1);
    for (let part = 0; part < events / chunk; part++) {
      console.error(`building the ${events.toLocaleString('en-US')}-event workspace: part ${part + 1} of ${events / chunk} …`);
      const file = path.join(dir, `part-${part}.ndjson`);
      const stream = createWriteStream(file);
      // Each part is three days of the 30; transactions only, as the metric reads them.
      const from = new Date(start + part * 3 * 86_400_000);
      await writeNdjson(generateRecords({ seed: 100 + part, count: chunk, types: ['transaction'], start: from, end: new Date(from.getTime() + 3 * 86_400_000) }), stream);
      stream.end();
      await once(stream, 'finish');
      await ingestFiles(workspace, { paths: [file], maxErrors: -1 });
      rmSync(file);
    }
    copyFileSync('metrics.yaml', path.join(dir, 'metrics.yaml'));
    createWriteStream(path.join(dir, 'ready')).end();
  }
  copyFileSync('metrics.yaml', path.join(dir, 'metrics.yaml'));
  const workspace = await openWorkspace({ workspace: dir });
  const query = { metric: 'transaction_volume', by: ['country'], grain: 'day', from: new Date(Date.UTC(2026, 9, 1)), to: new Date(Date.UTC(2026, 9, 31)) };
  const cold = await queryMetric(workspace, { ...query, fresh: true });
  const cached = await queryMetric(workspace, query);
  if (!cached.cached) throw new Error('the second query was not answered from the cache');
  return { events, rows: cold.rows.length, coldSeconds: cold.seconds, cachedSeconds: cached.seconds };
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  console.log(await benchMetricsLatency());
}
