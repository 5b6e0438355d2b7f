/**
 * The outbox of stream results bound for Kafka topics: one file per ingest batch, in the lake's
 * `_streams/outbox/`, written durably inside the batch's commit (under the lake lock, before the
 * snapshot) and named by the snapshot (`sources.streams.outbox`). A file is deliverable once a
 * committed snapshot reaches it: each file names the one before it, so the committed files are
 * the chain that starts at the snapshot's head. A file no committed snapshot reaches was written
 * by a batch that crashed before its commit and is removed, so the topic never carries a result
 * the lake does not have. Delivered files are removed oldest first, which keeps the chain's
 * walk short and tells every reader that what precedes a missing file was delivered.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { replaceAtomically } from '../lake/durable-fs.js';
import type { CompiledJob } from './config.js';
import type { Emission } from './operator.js';

export const OUTBOX_DIR = '_streams/outbox';

/** `sources.streams.outbox`: the newest committed outbox file. */
export interface OutboxHead {
  file: string;
  seq: number;
}

/** One message for a topic; `value` is the JSON text produced as is (so a redelivery is byte-identical). */
export interface OutboxMessage {
  topic: string;
  key: string;
  value: string;
}

/**
 * The Kafka message of one result: key `["<job>", …resultKey]`, value the live feed's result
 * message (with `event` for a pattern's derived event) plus `batch_id`; `emitted_at` is the batch's
 * commit time, so a redelivery is the same bytes.
 */
export function outboxMessage(job: CompiledJob, emission: Emission, batchId: string, committedAt: string): OutboxMessage {
  return {
    topic: job.kafkaTopic!,
    key: JSON.stringify([job.name, ...job.operator.resultKey(emission.row)]),
    value: JSON.stringify({ type: 'result', stream: job.name, op: emission.op, row: emission.row, emitted_at: committedAt, ...(job.operator.derivedEvent ? { event: job.operator.derivedEvent(emission.row) } : {}), batch_id: batchId }),
  };
}

interface OutboxHeader {
  outbox: 1;
  seq: number;
  batch_id: string;
  /** The committed file before this one (when this one was written). */
  previous: string | null;
}

export interface OutboxFile {
  file: string;
  seq: number;
  batchId: string;
  messages: OutboxMessage[];
}

const NAME = /^(\d{12})-(.+)\.ndjson$/;

export function outboxDir(lakeRoot: string): string {
  return path.join(lakeRoot, OUTBOX_DIR);
}

/** Writes a batch's messages durably after `previous` (the parent snapshot's head); returns the new head. */
export async function writeOutboxFile(lakeRoot: string, previous: OutboxHead | undefined, batchId: string, messages: readonly OutboxMessage[]): Promise<OutboxHead> {
  const seq = (previous?.seq ?? 0) + 1;
  const file = `${String(seq).padStart(12, '0')}-${batchId}.ndjson`;
  const header: OutboxHeader = { outbox: 1, seq, batch_id: batchId, previous: previous?.file ?? null };
  const dir = outboxDir(lakeRoot);
  await fs.mkdir(dir, { recursive: true });
  await replaceAtomically(path.join(dir, file), `${[header, ...messages].map((line) => JSON.stringify(line)).join('\n')}\n`);
  return { file, seq };
}

async function readOutboxFile(lakeRoot: string, file: string): Promise<{ header: OutboxHeader; messages: OutboxMessage[] } | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(outboxDir(lakeRoot), file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const [first, ...rest] = text.split('\n').filter(Boolean);
  const header = JSON.parse(first!) as OutboxHeader;
  return { header, messages: rest.map((line) => JSON.parse(line) as OutboxMessage) };
}

/**
 * The committed, undelivered files, oldest first: the chain from `head` back to the first file
 * missing (delivered). Also removes files that no committed snapshot reaches (a batch that
 * crashed before its commit); files after the head may belong to a commit in progress and stay.
 */
export async function pendingOutbox(lakeRoot: string, head: OutboxHead | undefined): Promise<OutboxFile[]> {
  if (!head) return [];
  const chain: OutboxFile[] = [];
  for (let name: string | null = head.file; name !== null;) {
    const content = await readOutboxFile(lakeRoot, name);
    if (!content) break;
    chain.push({ file: name, seq: content.header.seq, batchId: content.header.batch_id, messages: content.messages });
    name = content.header.previous;
  }
  chain.reverse();
  const onChain = new Set(chain.map((entry) => entry.file));
  const names = await fs.readdir(outboxDir(lakeRoot)).catch(() => [] as string[]);
  const orphans = names.filter((name) => {
    const match = NAME.exec(name);
    return match !== null && Number(match[1]) <= head.seq && !onChain.has(name);
  });
  await Promise.all(orphans.map((name) => fs.rm(path.join(outboxDir(lakeRoot), name), { force: true })));
  return chain;
}

/** Whether any outbox file is on disk (results may wait even after every output was removed from streams.yaml). */
export async function outboxHasFiles(lakeRoot: string): Promise<boolean> {
  const names = await fs.readdir(outboxDir(lakeRoot)).catch(() => [] as string[]);
  return names.some((name) => NAME.test(name));
}

/** Marks a file delivered. */
export async function removeOutboxFile(lakeRoot: string, file: string): Promise<void> {
  await fs.rm(path.join(outboxDir(lakeRoot), file), { force: true });
}
