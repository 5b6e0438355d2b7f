/**
 * `analytics lake compact`: merges the small files of each partition into one file sorted by
 * event time, with the same rows. Readers are never blocked: the merged files are written
 * without the lock and swapped in by one snapshot commit (replace-files.ts).
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../../duckdb/engine.js';
import { ident, literal } from '../../duckdb/sql.js';
import { fsyncDir, fsyncFile } from '../durable-fs.js';
import type { LakeLayout } from '../layout.js';
import { tableRelationSql, type TableInfo } from '../reader.js';
import type { Snapshot } from '../snapshot.js';
import { replaceFiles } from './replace-files.js';
import { eventTimeRanges } from '../time-range.js';
import { LAKE_PARQUET } from '../parquet-format.js';

export interface CompactOptions {
  /** Only these tables (default all). */
  tables?: readonly string[];
  /** A partition is compacted when it has at least this many files (default 2). */
  minFiles?: number;
  dryRun?: boolean;
}

export interface CompactedPartition {
  table: string;
  partition: Record<string, string>;
  filesBefore: number;
  rows: number;
  bytesBefore: number;
  bytesAfter: number;
}

export interface CompactResult {
  partitions: CompactedPartition[];
  snapshotVersion: number | null;
  dryRun: boolean;
}

export async function compactLake(engine: Engine, layout: LakeLayout, snapshot: Snapshot, tables: readonly TableInfo[], options: CompactOptions = {}): Promise<CompactResult> {
  const minFiles = options.minFiles ?? 2;
  const wanted = tables.filter((table) => !options.tables || options.tables.includes(table.name));
  const groups: { table: TableInfo; partition: Record<string, string>; files: Snapshot['files'] }[] = [];
  for (const table of wanted) {
    const byPartition = new Map<string, Snapshot['files']>();
    for (const file of snapshot.files.filter((entry) => entry.table === table.name)) {
      const key = JSON.stringify(file.partition);
      byPartition.set(key, [...(byPartition.get(key) ?? []), file]);
    }
    for (const [key, files] of byPartition) {
      if (files.length >= minFiles) groups.push({ table, partition: JSON.parse(key) as Record<string, string>, files });
    }
  }
  const plan: CompactedPartition[] = groups.map((group) => ({
    table: group.table.name,
    partition: group.partition,
    filesBefore: group.files.length,
    rows: group.files.reduce((sum, file) => sum + file.rows, 0),
    bytesBefore: group.files.reduce((sum, file) => sum + file.bytes, 0),
    bytesAfter: 0,
  }));
  if (options.dryRun || groups.length === 0) return { partitions: plan, snapshotVersion: null, dryRun: Boolean(options.dryRun) };

  const runId = `compact-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`;
  const staging = path.join(layout.stagingDir, runId);
  await fs.mkdir(staging, { recursive: true });
  try {
    const added: Omit<Snapshot['files'][number], 'addedIn'>[] = [];
    for (const [index, group] of groups.entries()) {
      const [partitionKey, partitionValue] = Object.entries(group.partition)[0] ?? ['part', 'all'];
      const name = `part-${runId}-${index}.parquet`;
      const stagedFile = path.join(staging, name);
      const names = new Set(group.table.columns.map((column) => column.name));
      const timeColumn = ['occurred_at', 'rejected_at', 'window_start'].find((name) => names.has(name)) ?? group.table.columns[0]!.name;
      const relation = tableRelationSql(layout, group.files.map((file) => file.path), group.table.columns);
      const [row] = await engine.rows<{ Count: number }>(
        `COPY (SELECT * FROM (${relation}) ORDER BY ${ident(timeColumn)}, ${ident(group.table.columns[0]!.name)}) TO ${literal(stagedFile)} (${LAKE_PARQUET})`,
      );
      const rows = Number(row?.Count ?? 0);
      const plannedRows = plan[index]!.rows;
      if (rows !== plannedRows) throw new Error(`compaction of ${group.table.name} ${partitionValue} read ${rows} rows, expected ${plannedRows}`);
      // Event files keep their time range in the snapshot (time-range.ts: de-duplication skips by it).
      const range = timeColumn === 'occurred_at' ? (await eventTimeRanges(engine, [stagedFile])).get(stagedFile) : undefined;
      await fsyncFile(stagedFile);
      const target = path.join(layout.tableDir(group.table.name), `${partitionKey}=${partitionValue}`, name);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(stagedFile, target);
      await fsyncDir(path.dirname(target));
      const bytes = (await fs.stat(target)).size;
      plan[index]!.bytesAfter = bytes;
      added.push({ table: group.table.name, path: layout.relative(target), rows, bytes, partition: group.partition, ...(range ? { minTime: range.minTime, maxTime: range.maxTime } : {}) });
    }
    const committed = await replaceFiles(layout, {
      operation: 'compact',
      remove: groups.flatMap((group) => group.files.map((file) => file.path)),
      add: added,
      details: { run: runId, partitions: plan.length },
    });
    return { partitions: plan, snapshotVersion: committed.version, dryRun: false };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}
