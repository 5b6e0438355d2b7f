/**
 * `analytics lake retention`: drops whole partitions older than each table's policy
 * (`lake.retention` in analytics.yaml, in days) with one snapshot commit. The files stay on disk
 * until `lake vacuum` removes them after its grace period. Files added after the stream jobs'
 * last checkpoint are kept: a restart rebuilds the state from their events (streams/runner.ts);
 * the next run, after the next checkpoint, drops them.
 */
import type { LakeLayout } from '../layout.js';
import type { Snapshot } from '../snapshot.js';
import { replaceFiles } from './replace-files.js';
import { streamRebuildFloor } from '../../streams/streams-source.js';

export interface RetentionResult {
  dropped: { table: string; partition: string; files: number; rows: number }[];
  snapshotVersion: number | null;
  dryRun: boolean;
}

export async function applyRetention(
  layout: LakeLayout,
  snapshot: Snapshot,
  policy: Readonly<Record<string, number>>,
  options: { dryRun?: boolean; now?: Date } = {},
): Promise<RetentionResult> {
  const today = new Date(options.now ?? new Date());
  const neededAfter = streamRebuildFloor(snapshot);
  const expired = snapshot.files.filter((file) => {
    if (file.addedIn > neededAfter) return false;
    const days = policy[file.table];
    const date = file.partition.event_date ?? file.partition.ingest_date;
    if (days === undefined || date === undefined) return false;
    const cutoff = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - days)).toISOString().slice(0, 10);
    return date < cutoff;
  });
  const grouped = new Map<string, RetentionResult['dropped'][number]>();
  for (const file of expired) {
    const partition = Object.entries(file.partition).map(([key, value]) => `${key}=${value}`).join('/');
    const key = `${file.table}/${partition}`;
    const entry = grouped.get(key) ?? { table: file.table, partition, files: 0, rows: 0 };
    entry.files += 1;
    entry.rows += file.rows;
    grouped.set(key, entry);
  }
  const dropped = [...grouped.values()].sort((a, b) => a.table.localeCompare(b.table) || a.partition.localeCompare(b.partition));
  if (options.dryRun || expired.length === 0) return { dropped, snapshotVersion: null, dryRun: Boolean(options.dryRun) };
  const committed = await replaceFiles(layout, { operation: 'retention', remove: expired.map((file) => file.path), add: [], details: { policy } });
  return { dropped, snapshotVersion: committed.version, dryRun: false };
}
