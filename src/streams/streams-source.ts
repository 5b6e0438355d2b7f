/**
 * `sources.streams` of a snapshot: where the stream jobs' state is (streams/runner.ts writes it).
 * Its own module so that readers (lake retention, the stream commands, the Kafka output) do not
 * load the runner.
 */
import type { Snapshot } from '../lake/snapshot.js';
import type { OutboxHead } from './outbox.js';

/** `sources.streams` in a snapshot. */
export interface StreamsSource {
  /** The last full checkpoint. */
  state: string;
  /** The lake version that committed `state`: the `since` batches' events are in files added after it. */
  state_version?: number;
  /** Batches the state has taken in after the checkpoint, in commit order. */
  since?: SinceBatch[];
  /** The last batch the jobs took in. */
  batch_id: string;
  watermarks: Record<string, string | null>;
  /** The newest committed outbox file of results bound for Kafka topics (outbox.ts). */
  outbox?: OutboxHead;
}

export interface SinceBatch {
  batch_id: string;
  ingested_at: string;
  /**
   * Events of the jobs' types the batch stored, by type: checked when the events are read back,
   * and the types fed to the jobs then (a job added to streams.yaml since reads types the batch
   * did not feed).
   */
  types: Record<string, number>;
}

export function streamsSourceOf(snapshot: Pick<Snapshot, 'sources'>): StreamsSource | undefined {
  const value = snapshot.sources.streams as StreamsSource | undefined;
  return value && typeof value.state === 'string' ? value : undefined;
}

/**
 * The lake version after which data files are still needed to rebuild the stream state (files
 * added after the last checkpoint hold the `since` batches' events); Infinity when none are.
 * Retention leaves those files alone.
 */
export function streamRebuildFloor(snapshot: Pick<Snapshot, 'sources'>): number {
  const source = streamsSourceOf(snapshot);
  return source?.since && source.since.length > 0 ? source.state_version ?? 0 : Infinity;
}
