/**
 * `analytics lake vacuum`: deletes what no reader can need any more: data files that no kept
 * snapshot lists (left by compaction, retention, or a crashed writer) and staging folders, both
 * only when older than the grace period, so a reader that opened an older snapshot, or a writer
 * that is still staging, is never cut off.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LakeLayout } from '../layout.js';
import { listSnapshotVersions, readSnapshot } from '../snapshot.js';

export interface VacuumOptions {
  /** Minimum age of a file before it may be deleted (default 60 minutes). */
  graceMinutes?: number;
  dryRun?: boolean;
  now?: Date;
}

export interface VacuumResult {
  deleted: { path: string; bytes: number; why: 'unreferenced' | 'staging' }[];
  bytes: number;
  dryRun: boolean;
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)])));
  return nested.flat();
}

export async function vacuumLake(layout: LakeLayout, options: VacuumOptions = {}): Promise<VacuumResult> {
  const cutoff = (options.now ?? new Date()).getTime() - (options.graceMinutes ?? 60) * 60_000;
  const referenced = new Set<string>();
  for (const version of await listSnapshotVersions(layout)) {
    for (const file of (await readSnapshot(layout, version)).files) referenced.add(file.path);
  }
  const deleted: VacuumResult['deleted'] = [];
  const entries = await fs.readdir(layout.root, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('_')) continue;
    for (const file of await walk(path.join(layout.root, entry.name))) {
      if (!file.endsWith('.parquet') || referenced.has(layout.relative(file))) continue;
      const stat = await fs.stat(file);
      if (stat.mtimeMs < cutoff) deleted.push({ path: layout.relative(file), bytes: stat.size, why: 'unreferenced' });
    }
  }
  for (const entry of await fs.readdir(layout.stagingDir, { withFileTypes: true }).catch(() => [])) {
    const target = path.join(layout.stagingDir, entry.name);
    const files = entry.isDirectory() ? await walk(target) : [target];
    const stats = await Promise.all(files.map((file) => fs.stat(file)));
    const newest = Math.max((await fs.stat(target)).mtimeMs, ...stats.map((stat) => stat.mtimeMs));
    if (newest < cutoff) deleted.push({ path: layout.relative(target), bytes: stats.reduce((sum, stat) => sum + stat.size, 0), why: 'staging' });
  }
  if (!options.dryRun) {
    for (const item of deleted) await fs.rm(layout.resolve(item.path), { recursive: true, force: true });
  }
  return { deleted, bytes: deleted.reduce((sum, item) => sum + item.bytes, 0), dryRun: Boolean(options.dryRun) };
}
