/**
 * Generated traffic for the stream job tests, split into input files that become one ingest
 * batch each: disorder within a file, a share of events held back to a later file (late for
 * the jobs), an account takeover sequence the default pattern job must find, and a few events
 * far in the future.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { generateToOutput } from '../../src/pipelines/synthetic-data.js';

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Three failed logins then a large transfer on one account, inside 10 minutes from `at`. */
export function takeoverEvents(at: number, account: string, prefix: string): string[] {
  const time = (offset: number) => new Date(at + offset).toISOString();
  const alert = (n: number) => JSON.stringify({
    id: `${prefix}-alert-${n}`, type: 'security_alert', version: 1, occurred_at: time(n * 30_000), source: 'auth',
    data: { alert_id: `${prefix}-a${n}`, severity: 'high', category: 'failed_login', account_id: account },
  });
  const transfer = JSON.stringify({
    id: `${prefix}-tx`, type: 'transaction', version: 1, occurred_at: time(200_000), source: 'payments-api',
    data: { transaction_id: `${prefix}-t`, account_id: account, customer_id: 'c-x', amount: '5000.00', currency: 'USD', status: 'captured', channel: 'transfer', country: 'DE' },
  });
  return [alert(0), alert(1), alert(2), transfer];
}

export interface TrafficFiles {
  files: string[];
  lines: number;
}

/** Writes `parts` NDJSON files in `dir` from `count` generated events over [start, end). */
export async function writeStreamTraffic(dir: string, options: { seed: number; count: number; start: string; end: string; parts: number; lateShare?: number }): Promise<TrafficFiles> {
  const source = path.join(dir, 'traffic-all.ndjson');
  await generateToOutput({ seed: options.seed, count: options.count, start: new Date(options.start), end: new Date(options.end), badRatio: 0, duplicateRatio: 0.01 }, { format: 'ndjson', out: source });
  const lines = (await fs.readFile(source, 'utf8')).split('\n').filter(Boolean);
  await fs.rm(source);
  const random = rng(options.seed);
  const size = Math.ceil(lines.length / options.parts);
  const parts: string[][] = [];
  for (let index = 0; index < options.parts; index++) parts.push(lines.slice(index * size, (index + 1) * size));
  // Hold back a share of the first part's events to the last part: late for every job.
  const lateShare = options.lateShare ?? 0.01;
  const first = parts[0]!;
  const kept: string[] = [];
  for (const line of first) (random() < lateShare ? parts[parts.length - 1]! : kept).push(line);
  parts[0] = kept;
  // Local disorder: swap neighbours within a part.
  for (const part of parts) {
    for (let index = 1; index < part.length; index++) {
      if (random() < 0.2) [part[index - 1], part[index]] = [part[index]!, part[index - 1]!];
    }
  }
  const middle = parts[Math.floor(parts.length / 2)]!;
  const firstOfMiddle = JSON.parse(middle[0]!) as { occurred_at: string };
  // In event-time order within the part, so that the sequence is not late in any batching.
  for (const line of takeoverEvents(Date.parse(firstOfMiddle.occurred_at), 'acc-takeover-1', `seq-${options.seed}`)) {
    const time = Date.parse((JSON.parse(line) as { occurred_at: string }).occurred_at);
    const at = middle.findIndex((other) => Date.parse((JSON.parse(other) as { occurred_at: string }).occurred_at) > time);
    middle.splice(at === -1 ? middle.length : at, 0, line);
  }
  // Far in the future: refused by every job (max_future_skew), never moving a watermark.
  parts[1]!.push(JSON.stringify({
    id: `future-${options.seed}`, type: 'transaction', version: 1, occurred_at: new Date(Date.now() + 86_400_000).toISOString(), source: 'payments-api',
    data: { transaction_id: 'tf', account_id: 'acc-f', customer_id: 'c-f', merchant_id: 'm-f', amount: '10.00', currency: 'USD', status: 'captured', channel: 'ecommerce', country: 'DE' },
  }));
  const files: string[] = [];
  for (const [index, part] of parts.entries()) {
    const file = path.join(dir, `traffic-${String(index).padStart(2, '0')}.ndjson`);
    await fs.writeFile(file, `${part.join('\n')}\n`);
    files.push(file);
  }
  return { files, lines: parts.reduce((sum, part) => sum + part.length, 0) };
}

/** Rows as comparable text, order-free, without the columns in `drop`. */
export function canonicalRows(rows: readonly Record<string, unknown>[], drop: string[] = []): string[] {
  return rows.map((row) => JSON.stringify(Object.fromEntries(Object.keys(row).filter((key) => !drop.includes(key)).sort().map((key) => [key, row[key]])))).sort();
}
