#!/usr/bin/env node
/**
 * Live feed latency (issue 4): the Kafka daemon runs the five default stream jobs plus a probe
 * job (tumbling 100 ms windows, no lateness) while transactions are produced at a steady rate,
 * each stamped with its produce time as `occurred_at`. A window closes when the first event
 * after its end is read; its latency is the time from its end to the arrival of its result at a
 * WebSocket client of the feed. Reports p50, p99 and max over the windows. Real broker.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { benchPort, produceSteadily, stampedTransaction, withKafkaDaemon } from './kafka-harness.js';

const PORT = benchPort(19395);

const quantile = (sorted, q) => {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  return sorted[low] + (sorted[Math.ceil(position)] - sorted[low]) * (position - low);
};

export async function benchFeedLatency({ rate = 5_000, seconds = 20, maxMs = 100 } = {}) {
  const prepare = (workspace) => {
    appendFileSync(path.join(workspace, 'analytics.yaml'), `\nkafka:\n  batch:\n    max_ms: ${maxMs}\n  metrics_port: 0\n`);
    appendFileSync(path.join(workspace, 'streams.yaml'), `
  - name: feed_probe
    kind: window
    events: [transaction]
    window: { type: tumbling, size: 100ms }
    aggregates: [{ name: n, fn: count }]
`);
  };
  return withKafkaDaemon({ port: PORT, partitions: 1, prepare }, async ({ kafka, workspace }) => {
    const { url } = JSON.parse(readFileSync(path.join(workspace, '.analytics', 'feed.json'), 'utf8'));
    const latencies = [];
    const client = new WebSocket(url);
    await new Promise((resolve, reject) => { client.once('open', resolve); client.once('error', reject); });
    client.send(JSON.stringify({ type: 'subscribe', streams: ['feed_probe'] }));
    const started = Date.now();
    client.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type !== 'result') return;
      const end = Date.parse(message.row.window_end);
      // Skip the warm-up second.
      if (end > started + 1_000) latencies.push(Date.now() - end);
    });
    const event = (index, now) => stampedTransaction(`feed-${index}`, index, now, { status: index % 20 === 0 ? 'declined' : 'captured', country: ['DE', 'FR', 'US'][index % 3] });
    const sent = await produceSteadily(kafka, { rate, seconds, tickMs: 20, started, event });
    await sleep(3_000);
    client.close();
    latencies.sort((a, b) => a - b);
    return { rate, seconds, sent, maxMs, windows: latencies.length, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), maxLatencyMs: latencies.at(-1) };
  });
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  console.log(await benchFeedLatency());
}
