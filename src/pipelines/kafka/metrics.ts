/**
 * What the ingest daemon reports on its health and metrics endpoint and in `analytics ingest
 * status`: counters since start, rates over the last 10 s, batch latency, consumer lag per
 * partition (the partition's end offset minus the offset committed in the lake).
 */
import { splitPartitionKey, type PartitionKey } from './offsets.js';

/** Events per second over a sliding window of whole seconds. */
export class RateMeter {
  private readonly buckets: number[];
  private readonly stamps: number[];

  constructor(private readonly windowSeconds = 10) {
    this.buckets = new Array<number>(windowSeconds).fill(0);
    this.stamps = new Array<number>(windowSeconds).fill(-1);
  }

  add(count: number, now = Date.now()): void {
    const second = Math.floor(now / 1000);
    const slot = second % this.windowSeconds;
    if (this.stamps[slot] !== second) {
      this.stamps[slot] = second;
      this.buckets[slot] = 0;
    }
    this.buckets[slot]! += count;
  }

  perSecond(now = Date.now()): number {
    const second = Math.floor(now / 1000);
    let sum = 0;
    for (let slot = 0; slot < this.windowSeconds; slot++) {
      const stamp = this.stamps[slot]!;
      // The current second is still filling; count the last full `window` seconds.
      if (stamp < second && stamp >= second - this.windowSeconds) sum += this.buckets[slot]!;
    }
    return Math.round((sum / this.windowSeconds) * 10) / 10;
  }
}

export type DaemonState = 'starting' | 'connecting' | 'running' | 'stopping';

export interface PartitionMetrics {
  topic: string;
  partition: number;
  /** Offset of the next message to be written to the partition (its end). */
  end_offset: number | null;
  /** Next offset committed in the lake. */
  committed_offset: number | null;
  /** end_offset - committed_offset: messages not yet in the lake. */
  lag: number | null;
}

/** The JSON served on /metrics. */
export interface MetricsReport {
  state: DaemonState;
  pid: number;
  group: string;
  topics: string[];
  started_at: string;
  uptime_seconds: number;
  totals: { consumed: number; stored: number; rejected: number; duplicates: number; skipped: number; batches: number };
  rates: { events_in_per_second: number; events_out_per_second: number; rejected_per_second: number };
  batch_latency_ms: { last: number | null; mean: number | null; max: number | null };
  last_commit_at: string | null;
  last_snapshot_version: number | null;
  buffer: { messages: number; bytes: number; max_events: number };
  /** Batches being validated or committed now, the most at once since start, and the limit (backpressure beyond it). */
  writes: { in_flight: number; max_in_flight: number; limit: number };
  lag_total: number | null;
  partitions: PartitionMetrics[];
  /** Stream jobs (streams.yaml): counters, state size, watermarks, live feed; null without jobs. */
  streams?: unknown;
}

/** Counters the daemon updates and the endpoint reads. */
export class IngestMetrics {
  state: DaemonState = 'starting';
  readonly startedAt = new Date();
  readonly totals = { consumed: 0, stored: 0, rejected: 0, duplicates: 0, skipped: 0, batches: 0 };
  private readonly inRate = new RateMeter();
  private readonly outRate = new RateMeter();
  private readonly rejectedRate = new RateMeter();
  private latency = { last: null as number | null, sum: 0, count: 0, max: null as number | null };
  lastCommitAt: Date | null = null;
  lastSnapshotVersion: number | null = null;
  private readonly endOffsets = new Map<PartitionKey, number>();
  private readonly committed = new Map<PartitionKey, number>();
  private assigned: PartitionKey[] = [];
  private writes = { inFlight: 0, maxInFlight: 0 };
  /** Supplies the `streams` section (src/streams/daemon-streams.ts). */
  streamsReport: (() => unknown) | undefined;

  constructor(
    private readonly group: string,
    private readonly topics: string[],
    private readonly buffer: () => { messages: number; bytes: number; maxEvents: number },
    /** Batches the daemon writes at once before consumption waits. */
    private readonly writeLimit: number,
  ) {}

  /** The number of batches being written changed. */
  writesInFlight(count: number): void {
    this.writes.inFlight = count;
    this.writes.maxInFlight = Math.max(this.writes.maxInFlight, count);
  }

  received(count: number): void {
    this.inRate.add(count);
  }

  batchCommitted(batch: { consumed: number; stored: number; rejected: number; duplicates: number; skipped: number; snapshotVersion: number }, latencyMs: number): void {
    this.totals.consumed += batch.consumed;
    this.totals.stored += batch.stored;
    this.totals.rejected += batch.rejected;
    this.totals.duplicates += batch.duplicates;
    this.totals.skipped += batch.skipped;
    this.totals.batches++;
    this.outRate.add(batch.stored);
    this.rejectedRate.add(batch.rejected);
    this.latency.last = latencyMs;
    this.latency.sum += latencyMs;
    this.latency.count++;
    this.latency.max = Math.max(this.latency.max ?? 0, latencyMs);
    if (batch.snapshotVersion > 0) {
      this.lastCommitAt = new Date();
      this.lastSnapshotVersion = batch.snapshotVersion;
    }
  }

  setAssignment(keys: PartitionKey[]): void {
    this.assigned = [...keys].sort();
  }

  setCommitted(key: PartitionKey, offset: number): void {
    this.committed.set(key, Math.max(this.committed.get(key) ?? -1, offset));
  }

  setEndOffset(key: PartitionKey, offset: number): void {
    this.endOffsets.set(key, offset);
  }

  report(): MetricsReport {
    const partitions = this.assigned.map((key) => {
      const { topic, partition } = splitPartitionKey(key);
      const end = this.endOffsets.get(key) ?? null;
      const committed = this.committed.get(key) ?? null;
      return { topic, partition, end_offset: end, committed_offset: committed, lag: end !== null && committed !== null ? Math.max(0, end - committed) : null };
    });
    const lags = partitions.map((p) => p.lag).filter((lag): lag is number => lag !== null);
    const buffer = this.buffer();
    return {
      state: this.state,
      pid: process.pid,
      group: this.group,
      topics: this.topics,
      started_at: this.startedAt.toISOString(),
      uptime_seconds: Math.round((Date.now() - this.startedAt.getTime()) / 100) / 10,
      totals: { ...this.totals },
      rates: { events_in_per_second: this.inRate.perSecond(), events_out_per_second: this.outRate.perSecond(), rejected_per_second: this.rejectedRate.perSecond() },
      batch_latency_ms: {
        last: this.latency.last === null ? null : Math.round(this.latency.last),
        mean: this.latency.count > 0 ? Math.round(this.latency.sum / this.latency.count) : null,
        max: this.latency.max === null ? null : Math.round(this.latency.max),
      },
      last_commit_at: this.lastCommitAt?.toISOString() ?? null,
      last_snapshot_version: this.lastSnapshotVersion,
      buffer: { messages: buffer.messages, bytes: buffer.bytes, max_events: buffer.maxEvents },
      writes: { in_flight: this.writes.inFlight, max_in_flight: this.writes.maxInFlight, limit: this.writeLimit },
      lag_total: lags.length > 0 ? lags.reduce((a, b) => a + b, 0) : null,
      partitions,
      streams: this.streamsReport?.() ?? null,
    };
  }
}
