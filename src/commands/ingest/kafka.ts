import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { UserError } from '../../errors.js';
import { runKafkaIngest, type KafkaIngestSummary } from '../../pipelines/kafka/daemon.js';

/** SIGTERM and SIGINT must end the process within this time, flushed or not. */
const SHUTDOWN_DEADLINE_MS = 9_500;

export default class IngestKafka extends BaseCommand {
  static override summary = 'Run the Kafka ingest daemon: consume the event topics into the lake, exactly once, until stopped.';
  static override description = `Consumes the topics in kafka.topics (analytics.yaml) as a member of a consumer group and writes the lake in batches of kafka.batch.max_events messages or kafka.batch.max_ms milliseconds, whichever comes first, with the same validation, enrichment, de-duplication and dead letters as file ingest. Each batch commits its Kafka offsets in the same lake snapshot as its data, and every partition assignment resumes from those offsets: after a crash at any moment, a restarted daemon stores each event exactly once. Start more daemons with the same group to share the partitions. SIGTERM or SIGINT: stop fetching, write and commit what is buffered, exit 0 (within 10 s). A broker that is down is waited for; refused credentials or topics that cannot be created exit 1. Health and metrics: http://127.0.0.1:<kafka.metrics_port>/metrics, shown by \`analytics ingest status\`. Stream jobs (streams.yaml) run in every batch's commit, and their results are pushed to the live feed (ws://127.0.0.1:<feed.port>/feed; \`analytics stream tail NAME\`).`;
  static override examples = [
    '<%= config.bin %> ingest kafka',
    '<%= config.bin %> ingest kafka --brokers 127.0.0.1:9092 --from-beginning',
    '<%= config.bin %> ingest kafka --group replay --topics transactions --metrics-port 9465',
  ];
  static override flags = {
    brokers: Flags.string({ summary: 'Bootstrap brokers, comma-separated HOST:PORT (default: kafka.brokers).' }),
    group: Flags.string({ summary: 'Consumer group (default: kafka.group).' }),
    topics: Flags.string({ summary: 'Comma-separated topics to consume (default: every topic in kafka.topics).' }),
    'from-beginning': Flags.boolean({ summary: 'Partitions the lake has no offset for start at their beginning instead of their end.', default: false }),
    'metrics-port': Flags.integer({ summary: 'Port of the health and metrics endpoint on 127.0.0.1 (0: off; default: kafka.metrics_port).', min: 0, max: 65_535 }),
    'feed-port': Flags.integer({ summary: 'Port of the live feed of stream results on 127.0.0.1 (0: any free port; default: feed.port).', min: 0, max: 65_535 }),
    format: Flags.string({ summary: 'Format of the summary printed on exit.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(IngestKafka);
    this.setupLogging('ingest-kafka', flags.debug);
    const workspace = await this.loadWorkspace(flags.workspace);
    const brokers = flags.brokers === undefined ? undefined : splitList(flags.brokers);
    if (brokers) {
      const bad = brokers.filter((broker) => !/^[^\s:/]+:\d+$/.test(broker));
      if (bad.length > 0 || brokers.length === 0) throw new UserError('BAD_ARGUMENT', `--brokers: "${flags.brokers}" is not a list of HOST:PORT.`, { hint: 'Example: --brokers 127.0.0.1:9092,127.0.0.1:9094' });
    }
    const topics = flags.topics === undefined ? undefined : splitList(flags.topics);
    if (topics && topics.length === 0) throw new UserError('BAD_ARGUMENT', '--topics: no topic named.', { hint: 'Example: --topics transactions,notifications' });

    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) return;
      this.logger.info(`${signal} received: stopping (flush, commit, disconnect)`);
      controller.abort();
      setTimeout(() => {
        this.logger.error(`did not stop within ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting now. Nothing is lost: uncommitted messages are read again on the next start.`);
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    const summary = await runKafkaIngest(workspace, {
      ...(brokers ? { brokers } : {}),
      ...(flags.group ? { group: flags.group } : {}),
      ...(topics ? { topics } : {}),
      ...(flags['metrics-port'] === undefined ? {} : { metricsPort: flags['metrics-port'] }),
      ...(flags['feed-port'] === undefined ? {} : { feedPort: flags['feed-port'] }),
      fromBeginning: flags['from-beginning'],
      logger: this.logger,
      debug: flags.debug,
      signal: controller.signal,
    });
    this.logger.info('stopped', { ...summary.totals, seconds: Math.round(summary.seconds * 10) / 10 });
    this.out(flags.format === 'json' ? JSON.stringify(summary) : renderSummary(summary));
    // kafkajs can leave a reconnect timer behind; the work is done, so do not wait for it.
    setTimeout(() => process.exit(process.exitCode ?? 0), 1_000).unref();
  }
}

function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

function renderSummary(summary: KafkaIngestSummary): string {
  const t = summary.totals;
  const n = (value: number) => value.toLocaleString('en-US');
  return [
    `Consumed ${n(t.consumed)} message${t.consumed === 1 ? '' : 's'} from ${summary.topics.join(', ')} (group ${summary.group}) in ${summary.seconds.toFixed(1)}s, ${n(t.batches)} batch${t.batches === 1 ? '' : 'es'}`,
    `  stored      ${n(t.stored)}`,
    `  rejected    ${n(t.rejected)}${t.rejected > 0 ? '  (dead_letters table)' : ''}`,
    `  duplicates  ${n(t.duplicates)}`,
  ].join('\n');
}
