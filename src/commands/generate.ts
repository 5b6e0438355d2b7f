import { writeFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { parseDateFlag as parseTime } from '../cli/dates.js';
import type { KafkaConfig } from '../config/workspace-schema.js';
import { UserError } from '../errors.js';
import { createGroundTruth, EVENT_TYPES, generateRecords, type EventTypeName, type GenerateOptions } from '../pipelines/generate/index.js';
import { kafkaTarget, produceRecords } from '../pipelines/kafka/producer.js';
import { generateToOutput, OUTPUT_FORMATS, type OutputFormat } from '../pipelines/synthetic-data.js';

export default class Generate extends BaseCommand {
  static override summary = 'Write realistic synthetic events for all four types, deterministic for a seed.';
  static override description = `Diurnal and weekly seasonality, currencies and countries with coordinates, merchant categories, fraud rings with labelled detections, security alert bursts, notification failures and injected anomalies (listed with --truth). --bad-ratio mixes in malformed records of every kind the contract rejects. No workspace is needed.`;
  static override examples = [
    '<%= config.bin %> generate --count 100000 --out events.ndjson',
    '<%= config.bin %> generate --start 2026-11-24 --end 2026-11-25 --rate 5 --truth truth.json > day.ndjson',
    '<%= config.bin %> generate --types transaction --count 1000000 --format parquet --out tx.parquet',
    '<%= config.bin %> generate --count 10000 --bad-ratio 0.05 --duplicate-ratio 0.01 --format csv --out mixed.csv',
    '<%= config.bin %> generate --to kafka://127.0.0.1:9092 --count 100000 --rate-limit 10000 --bad-ratio 0.01',
  ];
  static override flags = {
    seed: Flags.integer({ summary: 'Seed; the same seed and flags give identical output.', default: 42 }),
    count: Flags.integer({ summary: 'Number of records (default: rate × seconds between start and end).', min: 1 }),
    start: Flags.string({ summary: 'Start of event time (ISO 8601; default: yesterday 00:00 UTC).' }),
    end: Flags.string({ summary: 'End of event time, exclusive (default: start + 1 day).' }),
    rate: Flags.string({ summary: 'Average events per second of event time when --count is absent.', default: '2' }),
    types: Flags.string({ summary: `Comma-separated event types (${EVENT_TYPES.join(', ')}).` }),
    'bad-ratio': Flags.string({ summary: 'Share of malformed records, 0..1.', default: '0' }),
    'duplicate-ratio': Flags.string({ summary: 'Share of re-sent records (same id), 0..1.', default: '0' }),
    format: Flags.string({ summary: 'Output format.', options: [...OUTPUT_FORMATS], default: 'ndjson' }),
    out: Flags.string({ char: 'o', summary: 'Output file (default: standard output; required for parquet).' }),
    truth: Flags.string({ summary: 'Write the ground truth (anomalies, fraud rings, bad records) to this JSON file.' }),
    to: Flags.string({ summary: 'Produce to Kafka instead of writing a file: kafka://HOST:PORT[,HOST:PORT]. Each record goes to its type\'s topic (kafka.topics of the workspace, if any, else the defaults).' }),
    'rate-limit': Flags.integer({ summary: 'With --to: produce at most this many events per second of wall-clock time.', min: 1 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Generate);
    this.setupLogging('generate', flags.debug);
    const start = parseTime(flags.start, 'start') ?? yesterdayUtc();
    const end = parseTime(flags.end, 'end') ?? new Date(start.getTime() + 86_400_000);
    const types = flags.types?.split(',').map((type) => type.trim()) as EventTypeName[] | undefined;
    const unknown = types?.filter((type) => !EVENT_TYPES.includes(type));
    if (unknown && unknown.length > 0) throw new UserError('BAD_ARGUMENT', `--types: unknown event type ${unknown.join(', ')}.`, { hint: `Use ${EVENT_TYPES.join(', ')}.` });
    const options: GenerateOptions = {
      seed: flags.seed,
      start,
      end,
      rate: ratio(flags.rate, 'rate', Infinity),
      badRatio: ratio(flags['bad-ratio'], 'bad-ratio', 1),
      duplicateRatio: ratio(flags['duplicate-ratio'], 'duplicate-ratio', 1),
      ...(flags.count === undefined ? {} : { count: flags.count }),
      ...(types ? { types } : {}),
    };
    if (flags.to !== undefined || flags['rate-limit'] !== undefined) {
      const brokers = flags.to === undefined ? undefined : kafkaTarget(flags.to);
      if (!brokers) throw new UserError('BAD_ARGUMENT', flags.to === undefined ? '--rate-limit needs --to kafka://HOST:PORT.' : `--to: "${flags.to}" is not kafka://HOST:PORT.`, { hint: 'Example: --to kafka://127.0.0.1:9092' });
      const truth = createGroundTruth(options);
      const kafka = await this.workspaceKafka(flags.workspace);
      const produced = await produceRecords(generateRecords(options, truth), {
        brokers,
        logger: this.logger,
        ...(kafka ? { topics: kafka.topics, connection: { client_id: kafka.client_id, ssl: kafka.ssl, ...(kafka.sasl ? { sasl: kafka.sasl } : {}) } } : {}),
        ...(flags['rate-limit'] === undefined ? {} : { rateLimit: flags['rate-limit'] }),
      });
      if (flags.truth) await writeFile(flags.truth, `${JSON.stringify(truth, null, 2)}\n`);
      this.logger.info(`produced ${produced.records} records to ${brokers.join(',')} in ${produced.seconds.toFixed(1)}s (${produced.eventsPerSecond} events/s)`, {
        topics: produced.byTopic, good: truth.counts.good, bad: truth.counts.bad, duplicates: truth.counts.duplicates,
      });
      return;
    }
    const summary = await generateToOutput(
      options,
      { format: flags.format as OutputFormat, ...(flags.out ? { out: flags.out } : {}), ...(flags.truth ? { truthFile: flags.truth } : {}) },
    );
    this.logger.info(`generated ${summary.records} records${summary.out ? ` into ${summary.out}` : ''}`, {
      good: summary.truth.good, bad: summary.truth.bad, duplicates: summary.truth.duplicates, anomalies: summary.anomalies, skipped: summary.skipped,
    });
  }

  /** The workspace's kafka: settings when a workspace is found; generate needs none. */
  private async workspaceKafka(workspaceFlag: string | undefined): Promise<KafkaConfig | undefined> {
    try {
      return (await this.loadWorkspace(workspaceFlag)).config.kafka;
    } catch (error) {
      if (error instanceof UserError && error.code === 'WORKSPACE_NOT_FOUND' && workspaceFlag === undefined) return undefined;
      throw error;
    }
  }
}


function ratio(value: string, flag: string, max: number): number {
  const number = Number(value);
  if (!Number.isFinite(number) && max !== Infinity) throw new UserError('BAD_ARGUMENT', `--${flag}: "${value}" is not a number.`);
  if (Number.isNaN(number) || number < 0 || number > max) throw new UserError('BAD_ARGUMENT', `--${flag}: ${value} is out of range${max === Infinity ? ' (must be positive)' : ` (0..${max})`}.`);
  return number;
}

export function yesterdayUtc(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1));
}
