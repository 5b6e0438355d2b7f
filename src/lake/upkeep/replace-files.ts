/**
 * Commits a snapshot that swaps some files for others (compaction, ETL loads, stream results) or
 * drops them (retention).
 * The heavy work happens before, without the lock; under the lock the change is applied only if
 * every file it removes is still live, so two maintenance runs, or maintenance and ingest, never
 * lose each other's commits. Removed files stay on disk for readers of older snapshots until
 * `lake vacuum` deletes them after the grace period.
 */
import { UserError } from '../../errors.js';
import type { LakeLayout } from '../layout.js';
import { withLakeLock } from '../lock.js';
import { commitSnapshot, readLatestSnapshot, type DataFile, type DerivedTable, type Snapshot } from '../snapshot.js';

export interface FileChange {
  operation: string;
  /** Files to drop; every one must still be live, or nothing is committed (LAKE_BUSY). */
  remove: readonly string[];
  add: readonly Omit<DataFile, 'addedIn'>[];
  details: Record<string, unknown>;
  /** Derived tables to create or redefine (by name), committed with the files. */
  define?: readonly DerivedTable[];
  /** New source positions from the committed ones (e.g. an ETL watermark), committed with the files. */
  sources?: (committed: Snapshot['sources']) => Snapshot['sources'];
  /** Checked under the lock against the newest snapshot before anything is written; throw to refuse the commit. */
  verify?: (parent: Snapshot) => void;
}

export async function replaceFiles(layout: LakeLayout, change: FileChange): Promise<Snapshot> {
  return withLakeLock(layout, async () => {
    const parent = await readLatestSnapshot(layout);
    const live = new Set(parent.files.map((file) => file.path));
    const gone = change.remove.filter((file) => !live.has(file));
    if (gone.length > 0) {
      throw new UserError('LAKE_BUSY', `${gone.length} of the files to ${change.operation} were changed by another run meanwhile.`, {
        hint: `Run ${change.operation} again; nothing was changed.`,
      });
    }
    change.verify?.(parent);
    const removed = new Set(change.remove);
    return commitSnapshot(layout, parent, {
      operation: change.operation,
      details: { ...change.details, removed: change.remove },
      files: [...parent.files.filter((file) => !removed.has(file.path)), ...change.add.map((file) => ({ ...file, addedIn: parent.version + 1 }))],
      sources: change.sources ? change.sources(parent.sources) : parent.sources,
      tables: { ...parent.tables, ...Object.fromEntries((change.define ?? []).map((table) => [table.name, table])) },
    });
  });
}
