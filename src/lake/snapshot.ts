/**
 * The lake's commit protocol. A snapshot file lists every live data file; a reader takes the
 * newest snapshot and reads exactly those files, so it never sees a file being written or half
 * of a batch. A writer makes its files durable first, then creates snapshot N+1 with an
 * exclusive hard link: the link is the commit point. Anything a crashed writer left behind is
 * referenced by no snapshot and so is invisible (and later removed by `lake vacuum`).
 */
import { promises as fs } from 'node:fs';
import { UserError } from '../errors.js';
import { createExclusive } from './durable-fs.js';
import { LakeLayout, versionFromSnapshotName } from './layout.js';
import type { ColumnSpec } from './tables.js';

export interface DataFile {
  table: string;
  /** Path relative to the lake root, with forward slashes. */
  path: string;
  rows: number;
  bytes: number;
  /** Hive partition values, e.g. { event_date: '2026-11-25' }. */
  partition: Record<string, string>;
  /** Snapshot version that added the file. */
  addedIn: number;
  /** First and last `occurred_at` of an event file (time-range.ts); absent for other tables and older snapshots. */
  minTime?: string | null;
  maxTime?: string | null;
}

/**
 * A table that is not an event table: a warehouse table written by an ETL pipeline, or the
 * results of a stream job. Its schema travels with the snapshot, so readers need no other file.
 */
export interface DerivedTable {
  name: string;
  kind: 'warehouse' | 'stream';
  /** The pipeline step or stream job that writes it. */
  owner: string;
  columns: ColumnSpec[];
  /** Hive partition column, when the table is partitioned. */
  partitionColumn?: string;
  /** Its rows are derived events of this type (a pattern job's matches): readers also see them under the type's name. */
  eventType?: string;
}

export interface Snapshot {
  version: number;
  parent: number | null;
  committedAt: string;
  /** What made it: 'ingest', 'compact', 'retention'… */
  operation: string;
  /** Free-form details of the operation (file names, counts) for `lake history`. */
  details: Record<string, unknown>;
  files: DataFile[];
  /**
   * Positions of external sources committed atomically with the data, e.g. Kafka offsets per
   * consumer group, topic and partition. This is what makes Kafka ingest exactly-once.
   */
  sources: Record<string, unknown>;
  /** Derived tables by name (absent in lakes written before they existed). */
  tables?: Record<string, DerivedTable>;
}

export const EMPTY_SNAPSHOT: Snapshot = {
  version: 0, parent: null, committedAt: new Date(0).toISOString(), operation: 'empty', details: {}, files: [], sources: {}, tables: {},
};

/** How many snapshot files to keep; older ones are removed after a commit. */
const SNAPSHOTS_KEPT = 50;

export async function listSnapshotVersions(layout: LakeLayout): Promise<number[]> {
  let names: string[];
  try {
    names = await fs.readdir(layout.snapshotsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.map(versionFromSnapshotName).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
}

export async function readSnapshot(layout: LakeLayout, version: number): Promise<Snapshot> {
  const file = layout.snapshotFile(version);
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Snapshot;
  } catch (error) {
    throw new UserError('LAKE_CORRUPT', `Snapshot ${file} cannot be read: ${(error as Error).message}`, {
      hint: 'Snapshots are written atomically, so this points at disk damage or a manual edit. Restore the file from backup, or delete it to fall back to the previous version.',
    });
  }
}

/** The newest committed snapshot, or the empty snapshot of a new lake. */
export async function readLatestSnapshot(layout: LakeLayout): Promise<Snapshot> {
  const versions = await listSnapshotVersions(layout);
  const latest = versions.at(-1);
  return latest === undefined ? EMPTY_SNAPSHOT : readSnapshot(layout, latest);
}

/**
 * Commits `next` as version parent+1. Fails with LAKE_BUSY if another writer committed that
 * version first (writers hold the lake lock, so this only happens when the lock was broken).
 */
export async function commitSnapshot(
  layout: LakeLayout,
  parent: Snapshot,
  next: Pick<Snapshot, 'operation' | 'details' | 'files' | 'sources'> & Pick<Partial<Snapshot>, 'tables'>,
): Promise<Snapshot> {
  const snapshot: Snapshot = {
    version: parent.version + 1,
    parent: parent.version,
    committedAt: new Date().toISOString(),
    ...next,
    // Derived table definitions carry over unless the change sets them.
    tables: next.tables ?? parent.tables ?? {},
  };
  await fs.mkdir(layout.snapshotsDir, { recursive: true });
  const created = await createExclusive(layout.snapshotFile(snapshot.version), JSON.stringify(snapshot));
  if (!created) {
    throw new UserError('LAKE_BUSY', `Another writer committed lake version ${snapshot.version} at the same time.`, {
      hint: 'Run the command again; nothing from this run was stored.',
    });
  }
  await pruneSnapshots(layout, snapshot.version);
  return snapshot;
}

async function pruneSnapshots(layout: LakeLayout, newest: number): Promise<void> {
  const versions = await listSnapshotVersions(layout);
  const old = versions.filter((version) => version <= newest - SNAPSHOTS_KEPT);
  await Promise.all(old.map((version) => fs.rm(layout.snapshotFile(version), { force: true })));
}
