/**
 * Kafka positions in the lake. The snapshot's `sources` hold, per consumer group, topic and
 * partition, the offset of the next message to read:
 *
 * ```json
 * { "kafka": { "analytics-ingest": { "transactions": { "0": 1200, "1": 1187 } } } }
 * ```
 *
 * They move in the same snapshot as the data they cover, so the lake never holds a message
 * without its offset or an offset without its message. That, and seeking to these offsets on
 * every partition assignment, is what makes the ingest exactly-once (docs/architecture-kafka.md).
 */
import { LakeLayout } from '../../lake/layout.js';
import { withLakeLock } from '../../lake/lock.js';
import { commitSnapshot, readLatestSnapshot, type Snapshot } from '../../lake/snapshot.js';

/** `topic/partition`: Kafka topic names cannot contain `/`. */
export type PartitionKey = string;

export function partitionKey(topic: string, partition: number): PartitionKey {
  return `${topic}/${partition}`;
}

export function splitPartitionKey(key: PartitionKey): { topic: string; partition: number } {
  const slash = key.lastIndexOf('/');
  return { topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)) };
}

type GroupOffsets = Record<string, Record<string, number>>;

/** The committed next-offsets of `group`, by partition. */
export function committedOffsets(sources: Snapshot['sources'], group: string): Map<PartitionKey, number> {
  const offsets = new Map<PartitionKey, number>();
  const groups = (sources.kafka ?? {}) as Record<string, GroupOffsets>;
  for (const [topic, partitions] of Object.entries(groups[group] ?? {})) {
    for (const [partition, offset] of Object.entries(partitions)) offsets.set(partitionKey(topic, Number(partition)), Number(offset));
  }
  return offsets;
}

/**
 * Thrown under the lake lock when another process already committed messages this batch also
 * holds: a daemon that lost its partitions in a rebalance but still had them buffered. The batch
 * must not be committed; the caller drops what is now in the lake and tries again.
 */
export class OffsetConflictError extends Error {
  constructor(readonly conflicts: { key: PartitionKey; committed: number; first: number }[]) {
    super(`offsets already committed by another consumer: ${conflicts.map((c) => `${c.key} committed up to ${c.committed}, batch starts at ${c.first}`).join('; ')}`);
    this.name = 'OffsetConflictError';
  }
}

/**
 * Returns `sources` with `next` merged in for `group`, keeping the larger offset per partition
 * (several daemons commit; offsets never go back). With `first` (the batch's first offset per
 * partition), refuses with OffsetConflictError when the lake already holds part of the batch.
 */
export function mergeOffsets(sources: Snapshot['sources'], group: string, next: ReadonlyMap<PartitionKey, number>, first?: ReadonlyMap<PartitionKey, number>): Snapshot['sources'] {
  const committed = committedOffsets(sources, group);
  if (first) {
    const conflicts = [...first]
      .filter(([key, offset]) => (committed.get(key) ?? -1) > offset)
      .map(([key, offset]) => ({ key, committed: committed.get(key)!, first: offset }));
    if (conflicts.length > 0) throw new OffsetConflictError(conflicts);
  }
  const groups = structuredClone((sources.kafka ?? {}) as Record<string, GroupOffsets>);
  const mine = (groups[group] ??= {});
  for (const [key, offset] of next) {
    const { topic, partition } = splitPartitionKey(key);
    const partitions = (mine[topic] ??= {});
    partitions[String(partition)] = Math.max(partitions[String(partition)] ?? -1, offset);
  }
  return { ...sources, kafka: groups };
}

/** The group's committed offsets in the newest snapshot. */
export async function readLakeOffsets(lakeRoot: string, group: string): Promise<Map<PartitionKey, number>> {
  return committedOffsets((await readLatestSnapshot(new LakeLayout(lakeRoot))).sources, group);
}

/**
 * Records starting positions for partitions the lake has never seen, in a snapshot that adds no
 * data. Without it, a daemon that starts at the end of a partition and crashes before its first
 * batch would, on restart, start at the new end and skip what arrived in between. Partitions
 * that already have an offset keep it. Returns the group's offsets after the commit.
 */
export async function anchorOffsets(lakeRoot: string, group: string, starts: ReadonlyMap<PartitionKey, number>): Promise<Map<PartitionKey, number>> {
  const layout = new LakeLayout(lakeRoot);
  return withLakeLock(layout, async () => {
    const parent = await readLatestSnapshot(layout);
    const committed = committedOffsets(parent.sources, group);
    const missing = new Map([...starts].filter(([key]) => !committed.has(key)));
    if (missing.size === 0) return committed;
    const sources = mergeOffsets(parent.sources, group, missing);
    await commitSnapshot(layout, parent, {
      operation: 'kafka-offsets',
      details: { group, anchored: Object.fromEntries(missing) },
      files: parent.files,
      sources,
    });
    return committedOffsets(sources, group);
  });
}
