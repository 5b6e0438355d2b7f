/**
 * The outbox of stream results for Kafka: the committed files are the chain from the snapshot's
 * head; a file no committed snapshot reaches (a batch that crashed before its commit) is removed;
 * a file after the head (a commit in progress) is kept; delivered files end the chain.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { outboxDir, pendingOutbox, removeOutboxFile, writeOutboxFile, type OutboxMessage } from '../../../src/streams/outbox.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

async function lake(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'outbox-'));
  dirs.push(dir);
  return dir;
}

const message = (key: string): OutboxMessage => ({ topic: 'results', key: JSON.stringify(['job', key]), value: JSON.stringify({ key }) });

describe('stream results outbox', () => {
  it('returns the committed files oldest first, and stops at a delivered one', async () => {
    const root = await lake();
    const first = await writeOutboxFile(root, undefined, 'b1', [message('a')]);
    const second = await writeOutboxFile(root, first, 'b2', [message('b'), message('c')]);
    const third = await writeOutboxFile(root, second, 'b3', [message('d')]);
    expect((await pendingOutbox(root, third)).map((file) => [file.batchId, file.messages.map((m) => JSON.parse(m.key)[1])])).toEqual([['b1', ['a']], ['b2', ['b', 'c']], ['b3', ['d']]]);
    await removeOutboxFile(root, first.file);
    expect((await pendingOutbox(root, third)).map((file) => file.batchId)).toEqual(['b2', 'b3']);
    expect(await pendingOutbox(root, undefined)).toEqual([]);
  });

  it('removes a file of a batch that never committed, keeps one after the head', async () => {
    const root = await lake();
    const first = await writeOutboxFile(root, undefined, 'b1', [message('a')]);
    // Given a batch that wrote its file and crashed before its commit (seq 2, never named)…
    await writeOutboxFile(root, first, 'crashed', [message('never')]);
    // …and the next batch, which committed seq 2 after the same parent
    const second = await writeOutboxFile(root, first, 'b2', [message('b')]);
    // …and a commit in progress (seq 3, not named by any snapshot yet)
    await writeOutboxFile(root, second, 'in-progress', [message('c')]);
    const pending = await pendingOutbox(root, second);
    expect(pending.map((file) => file.batchId)).toEqual(['b1', 'b2']);
    const names = (await fs.readdir(outboxDir(root))).sort();
    expect(names.some((name) => name.includes('crashed'))).toBe(false);
    expect(names.some((name) => name.includes('in-progress'))).toBe(true);
  });
});
