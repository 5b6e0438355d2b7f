/**
 * Where things live in a lake folder (docs/architecture.md, "Lake layout"):
 *
 *   <lake>/_snapshots/00000000000000000042.json   the committed state, one file per version
 *   <lake>/_staging/<txn>/...                      files being written; never read
 *   <lake>/<table>/event_date=YYYY-MM-DD/part-<txn>-<n>.parquet
 *   <lake>/dead_letters/ingest_date=YYYY-MM-DD/part-<txn>-<n>.parquet
 */
import path from 'node:path';

export class LakeLayout {
  constructor(readonly root: string) {}

  get snapshotsDir(): string {
    return path.join(this.root, '_snapshots');
  }

  get stagingDir(): string {
    return path.join(this.root, '_staging');
  }

  snapshotFile(version: number): string {
    return path.join(this.snapshotsDir, `${String(version).padStart(20, '0')}.json`);
  }

  tableDir(table: string): string {
    return path.join(this.root, table);
  }

  /** Absolute path of a file recorded (relative) in a snapshot. */
  resolve(relativePath: string): string {
    return path.join(this.root, relativePath);
  }

  relative(absolutePath: string): string {
    return path.relative(this.root, absolutePath).split(path.sep).join('/');
  }
}

export function versionFromSnapshotName(name: string): number | undefined {
  const match = /^(\d{20})\.json$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
