/**
 * Stream jobs in ingest (issue 4): the same generated traffic of all four event types, split
 * into files of BENCH_STREAMS_BATCH events (one ingest batch each, like Kafka batches), ingested
 * side by side without stream jobs and with the five default jobs of the scaffold. Each
 * measurement runs in its own process (bench/measure.js), best of BENCH_RUNS, alternating.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { generateRecords, writeNdjson } from '../dist/pipelines/generate/index.js';

export async function benchStreams(runs) {
  const count = Number(process.env.BENCH_STREAMS_EVENTS ?? 500_000);
  const batch = Number(process.env.BENCH_STREAMS_BATCH ?? 50_000);
  const dir = path.join(os.tmpdir(), 'analytics-bench', `streams-${count}-${batch}-${process.env.BENCH_STREAMS_SPAN_MINUTES ?? 60}m`);
  if (!existsSync(path.join(dir, 'done'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const all = path.join(dir, 'all.ndjson');
    console.error(`generating ${count.toLocaleString('en-US')} events of the four types into ${dir} …`);
    const stream = createWriteStream(all);
    await writeNdjson(generateRecords({ seed: 4, count, start: new Date('2026-11-24T12:00:00Z'), end: new Date(Date.parse('2026-11-24T12:00:00Z') + Number(process.env.BENCH_STREAMS_SPAN_MINUTES ?? 60) * 60_000) }), stream);
    stream.end();
    await once(stream, 'finish');
    const lines = readFileSync(all, 'utf8').split('\n').filter(Boolean);
    for (let index = 0; index * batch < lines.length; index++) {
      writeFileSync(path.join(dir, `part-${String(index).padStart(4, '0')}.ndjson`), `${lines.slice(index * batch, (index + 1) * batch).join('\n')}\n`);
    }
    rmSync(all);
    writeFileSync(path.join(dir, 'done'), '');
  }
  const input = path.join(dir, 'part-*.ndjson');
  const best = { plain: undefined, streams: undefined };
  for (let run = 0; run < runs; run++) {
    for (const [key, kind] of [['plain', 'analytics-ingest'], ['streams', 'analytics-ingest-streams']]) {
      const output = execFileSync('node', [path.join('bench', 'measure.js'), kind, input, path.join(os.tmpdir(), 'analytics-bench', `work-${kind}`)], { encoding: 'utf8' });
      const result = JSON.parse(output.trim().split('\n').at(-1));
      if (!best[key] || result.seconds < best[key].seconds) best[key] = result;
    }
  }
  const rate = (result) => result.records / result.seconds;
  return {
    events: best.plain.records,
    batch,
    plainRate: rate(best.plain),
    streamsRate: rate(best.streams),
    plainSeconds: best.plain.seconds,
    streamsSeconds: best.streams.seconds,
    streamsPeakMiB: best.streams.maxRssMiB,
    plainPeakMiB: best.plain.maxRssMiB,
    // CPU seconds of the process (DuckDB's threads included): both runs are bound by the 2 cores.
    plainCpuSeconds: best.plain.cpuSeconds,
    streamsCpuSeconds: best.streams.cpuSeconds,
    ratio: rate(best.streams) / rate(best.plain),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchStreams(Number(process.env.BENCH_RUNS ?? 3));
  console.log(JSON.stringify(result, null, 2));
}
