import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { renderTable } from '../../cli/output.js';
import { formatBytes } from '../../cli/progress.js';
import { kafkaSchema } from '../../config/workspace-schema.js';
import { UserError } from '../../errors.js';
import type { MetricsReport } from '../../pipelines/kafka/metrics.js';
import { fetchMetrics, METRICS_HOST } from '../../pipelines/kafka/metrics-server.js';

export default class IngestStatus extends BaseCommand {
  static override summary = 'Show a running Kafka ingest daemon\'s health and metrics: lag per partition, rates, batch latency, last commit.';
  static override description = `Reads the daemon's endpoint on 127.0.0.1 (kafka.metrics_port of the workspace, or --port). Exits 1 when no daemon answers there.`;
  static override examples = [
    '<%= config.bin %> ingest status',
    '<%= config.bin %> ingest status --port 9465 --format json',
  ];
  static override flags = {
    port: Flags.integer({ summary: 'Metrics port of the daemon (default: kafka.metrics_port of the workspace, else 9464).', min: 1, max: 65_535 }),
    format: Flags.string({ summary: 'Output format.', options: ['table', 'json'], default: 'table' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(IngestStatus);
    this.setupLogging('ingest-status', flags.debug);
    const port = flags.port ?? (await this.configuredPort(flags.workspace));
    if (port === 0) throw new UserError('BAD_ARGUMENT', 'kafka.metrics_port is 0 in this workspace: the daemon serves no metrics.', { hint: 'Pass --port with the port of a daemon started with --metrics-port.' });
    const report = await fetchMetrics(port);
    if (!report) {
      throw new UserError('DAEMON_NOT_RUNNING', `No Kafka ingest daemon answers on ${METRICS_HOST}:${port}.`, {
        hint: 'Start one with `analytics ingest kafka`, or pass --port with the port it serves metrics on.',
      });
    }
    this.out(flags.format === 'json' ? JSON.stringify(report, null, 2) : renderReport(report));
  }

  /** The workspace's metrics port when there is a workspace; the default otherwise. */
  private async configuredPort(workspaceFlag: string | undefined): Promise<number> {
    try {
      return (await this.loadWorkspace(workspaceFlag)).config.kafka.metrics_port;
    } catch (error) {
      if (error instanceof UserError && error.code === 'WORKSPACE_NOT_FOUND' && workspaceFlag === undefined) return kafkaSchema.parse({}).metrics_port;
      throw error;
    }
  }
}

function renderReport(report: MetricsReport): string {
  const n = (value: number | null) => (value === null ? '–' : value.toLocaleString('en-US'));
  const t = report.totals;
  const lines = [
    `Kafka ingest daemon pid ${report.pid}, group ${report.group}: ${report.state} for ${report.uptime_seconds}s`,
    `  totals      consumed ${n(t.consumed)}, stored ${n(t.stored)}, rejected ${n(t.rejected)}, duplicates ${n(t.duplicates)}, batches ${n(t.batches)}`,
    `  rates       in ${report.rates.events_in_per_second}/s, out ${report.rates.events_out_per_second}/s, rejected ${report.rates.rejected_per_second}/s (last 10 s)`,
    `  batches     latency last ${n(report.batch_latency_ms.last)} ms, mean ${n(report.batch_latency_ms.mean)} ms, max ${n(report.batch_latency_ms.max)} ms`,
    `  last commit ${report.last_commit_at ?? 'none yet'}${report.last_snapshot_version === null ? '' : ` (lake version ${report.last_snapshot_version})`}`,
    `  buffer      ${n(report.buffer.messages)} of ${n(report.buffer.max_events)} messages (${formatBytes(report.buffer.bytes)})`,
    `  writes      ${report.writes.in_flight} of ${report.writes.limit} batches being written (at most ${report.writes.max_in_flight} so far; at the limit, consumption waits)`,
    `  lag         ${n(report.lag_total)} message${report.lag_total === 1 ? '' : 's'} not yet in the lake`,
  ];
  if (report.partitions.length === 0) return [...lines, '  partitions  none assigned'].join('\n');
  const columns = [
    { name: 'topic', type: 'VARCHAR' },
    { name: 'partition', type: 'INTEGER' },
    { name: 'end offset', type: 'BIGINT' },
    { name: 'committed', type: 'BIGINT' },
    { name: 'lag', type: 'BIGINT' },
  ];
  const rows = report.partitions.map((p) => ({ topic: p.topic, partition: p.partition, 'end offset': p.end_offset, committed: p.committed_offset, lag: p.lag }));
  return `${lines.join('\n')}\n${renderTable(columns, rows)}`;
}
