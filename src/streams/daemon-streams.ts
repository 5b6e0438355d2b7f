/**
 * What the Kafka ingest daemon needs for stream jobs, in one call: the runner (passed to every
 * lake batch), the live feed, and the stream metrics on the daemon's endpoint. Kept here so the
 * daemon only calls in and out.
 */
import type { Logger } from '../cli/logger.js';
import { messageOf } from '../errors.js';
import type { Workspace } from '../workspace/workspace.js';
import { startFeedServer, type FeedServer, type FeedStatusSource } from './feed-server.js';
import type { ConnectionSettings } from '../pipelines/kafka/client.js';
import { KafkaOutput } from './kafka-output.js';
import { outboxHasFiles } from './outbox.js';
import { openStreamRunner, type StreamRunner } from './runner.js';

export interface DaemonStreams {
  runner: StreamRunner | undefined;
  feed: FeedServer | undefined;
  /** Produces the results of jobs with a Kafka output (undefined when no job has one). */
  output: KafkaOutput | undefined;
  /** The `streams` section of the daemon's metrics report (names: analytics_<component>_<noun>_<unit>_total). */
  metrics(): StreamMetrics | null;
  close(): Promise<void>;
}

export interface StreamMetrics {
  jobs: string[];
  feed_url: string | null;
  feed_clients: number;
  watermarks: Record<string, string | null>;
  analytics_streams_batches_total: number;
  analytics_streams_events_processed_total: number;
  analytics_streams_results_emitted_total: number;
  analytics_streams_late_events_total: number;
  analytics_streams_future_events_total: number;
  /** Current state size per job (windows, held join events, pattern candidates). */
  analytics_streams_state_entries: Record<string, number>;
  /** Size of the last full checkpoint of the state (written every `checkpoint_interval`). */
  analytics_streams_state_bytes: number;
  analytics_streams_checkpoints_total: number;
  analytics_streams_processing_seconds_total: number;
  /** Topics of the jobs' Kafka outputs, and their delivery (null without any). */
  kafka_output: {
    topics: string[];
    analytics_streams_kafka_results_produced_total: number;
    /** Committed results waiting in the outbox (at the last delivery attempt). */
    outbox_pending_results: number;
    outbox_pending_files: number;
    last_error: string | null;
  } | null;
}

export async function startDaemonStreams(workspace: Workspace, options: { feedPort?: number; logger: Logger; status: FeedStatusSource; onFeedListening?: (url: string) => void; kafka: ConnectionSettings }): Promise<DaemonStreams> {
  const runner = await openStreamRunner(workspace);
  let feed: FeedServer | undefined;
  let output: KafkaOutput | undefined;
  if (runner && (runner.kafkaTopics.length > 0 || await outboxHasFiles(workspace.lakeRoot))) {
    output = new KafkaOutput(workspace.lakeRoot, options.kafka, options.logger);
    const started = output;
    runner.onCommitted((committed) => { if (committed.outboxed > 0) started.notify(); });
    // Also delivers what an earlier run committed and had not produced yet (a crash, a broker outage).
    output.start();
  }
  let watermarks: Record<string, string | null> = {};
  if (runner) {
    runner.onCommitted((committed) => { watermarks = committed.watermarks; });
    const port = options.feedPort ?? workspace.config.feed.port;
    try {
      feed = await startFeedServer(runner, { port, workspaceRoot: workspace.root, status: options.status });
      options.logger.info(`live feed on ${feed.url} (${runner.jobs.length} stream jobs)`, { url: feed.url, jobs: runner.jobs.map((job) => job.name) });
      options.onFeedListening?.(feed.url);
    } catch (error) {
      options.logger.warn(`live feed not started: port ${port} on 127.0.0.1 is not available (${messageOf(error)}); stream jobs still run and write the lake`, { port });
    }
  }
  return {
    runner,
    feed,
    output,
    metrics: () => runner ? {
      jobs: runner.jobs.map((job) => job.name),
      feed_url: feed?.url ?? null,
      feed_clients: feed?.clients() ?? 0,
      watermarks,
      analytics_streams_batches_total: runner.stats.batches,
      analytics_streams_events_processed_total: runner.stats.events,
      analytics_streams_results_emitted_total: runner.stats.emitted,
      analytics_streams_late_events_total: runner.stats.late,
      analytics_streams_future_events_total: runner.stats.future,
      analytics_streams_state_entries: runner.stateEntries(),
      analytics_streams_state_bytes: runner.stats.stateBytes,
      analytics_streams_checkpoints_total: runner.stats.checkpoints,
      analytics_streams_processing_seconds_total: Math.round(runner.stats.seconds * 1000) / 1000,
      kafka_output: output ? {
        topics: runner.kafkaTopics,
        analytics_streams_kafka_results_produced_total: output.stats.produced,
        outbox_pending_results: output.stats.pendingMessages,
        outbox_pending_files: output.stats.pendingFiles,
        last_error: output.stats.lastError,
      } : null,
    } : null,
    close: async () => {
      await feed?.close();
      await output?.close();
    },
  };
}
