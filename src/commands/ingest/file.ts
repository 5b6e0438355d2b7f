import { Args, Flags } from '@oclif/core';
import chalk from 'chalk';
import { BaseCommand } from '../../cli/base-command.js';
import { FileProgress } from '../../cli/progress.js';
import { UserError } from '../../errors.js';
import { ingestFiles, type IngestSummary } from '../../pipelines/ingest/file-ingest.js';
import { INPUT_FORMATS, type InputFormat } from '../../pipelines/ingest/inputs.js';

export default class IngestFile extends BaseCommand {
  static override summary = 'Validate, enrich and store event files (NDJSON, JSON, CSV, Parquet, gzip or not) in the lake.';
  static override description = `Each file is one atomic batch: readers see all of it or nothing. Rejected records go to the dead_letters table with their origin (file:line) and every reason; duplicates (same id) are counted and dropped. Exit codes: 0 ok, 1 when a file could not be read or more than --max-errors records were rejected (everything readable is still stored), 2 on a bug.`;
  static override examples = [
    '<%= config.bin %> ingest file events.ndjson',
    "<%= config.bin %> ingest file 'incoming/*.ndjson.gz' --max-errors 100",
    'cat events.ndjson | <%= config.bin %> ingest file -',
    '<%= config.bin %> ingest file export.csv --format json',
  ];
  static override strict = false;
  static override args = { paths: Args.string({ description: 'Files, globs, or - for standard input.', required: true }) };
  static override flags = {
    'max-errors': Flags.integer({ summary: 'Exit 1 when more records than this are rejected (-1: no limit; default from analytics.yaml).', min: -1 }),
    'input-format': Flags.string({ summary: 'Format of the input when the name does not tell.', options: [...INPUT_FORMATS] }),
    format: Flags.string({ summary: 'Summary format.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(IngestFile);
    this.setupLogging('ingest', flags.debug);
    const workspace = await this.loadWorkspace(flags.workspace);
    const progress = new FileProgress(this.logger);
    const summary = await ingestFiles(workspace, {
      paths: argv as string[],
      stdin: process.stdin,
      logger: this.logger,
      ...(flags['input-format'] ? { inputFormat: flags['input-format'] as InputFormat } : {}),
      ...(flags['max-errors'] === undefined ? {} : { maxErrors: flags['max-errors'] }),
      onProgress: (event) => {
        if (event.kind === 'file-start') progress.start(event.label, event.index, event.total, event.bytes);
        else if (event.kind === 'file-stage') progress.setStage(event.stage);
        else if (event.kind === 'file-done') {
          this.logger.debug('stage timings', { file: event.file.label, ...event.file.stages });
          progress.finish(`${chalk.green('✔')} ${event.file.label}: ${event.file.stored} stored, ${event.file.rejected} rejected, ${event.file.duplicates} duplicates (${event.file.seconds.toFixed(2)}s)`, {
            file: event.file.label, read: event.file.read, stored: event.file.stored, rejected: event.file.rejected, duplicates: event.file.duplicates, seconds: event.file.seconds,
          });
        } else progress.fail(`${chalk.red('✖')} ${event.message}`, { file: event.label });
      },
    });
    if (flags.format === 'json') this.out(JSON.stringify(summary));
    else this.out(renderSummary(summary));
    const output = summary.kafkaOutput;
    if (output?.error) {
      this.logger.warn(`stream results not produced to Kafka (${output.topics.join(', ')}): ${output.error}; ${output.pending} results wait in the lake's outbox (lake/_streams/outbox) and are produced by the next ingest or by analytics ingest kafka`, { pending: output.pending, produced: output.produced });
    }
    for (const failure of summary.failures) {
      process.stderr.write(`${chalk.red('Error:')} ${failure.message}\n${failure.hint ? `${chalk.yellow('Hint:')} ${failure.hint}\n` : ''}`);
    }
    if (summary.failures.length > 0 && summary.files.length === 0) {
      this.exit(1);
    }
    if (summary.tooManyRejects) {
      const perFile = summary.files.filter((file) => file.rejected > 0).map((file) => `${file.label}: ${file.rejected}`).join(', ');
      throw new UserError('TOO_MANY_REJECTS', `${summary.rejected} record${summary.rejected === 1 ? ' was' : 's were'} rejected (${perFile}), more than --max-errors ${summary.maxErrors}. Valid records were stored.`, {
        hint: 'See why with: analytics query "SELECT origin, reasons FROM dead_letters ORDER BY rejected_at DESC LIMIT 20"',
      });
    }
    if (summary.failures.length > 0) this.exit(1);
  }
}

function renderSummary(summary: IngestSummary): string {
  const rate = summary.eventsPerSecond.toLocaleString('en-US');
  return [
    `Read ${summary.read.toLocaleString('en-US')} record${summary.read === 1 ? '' : 's'} from ${summary.files.length} file${summary.files.length === 1 ? '' : 's'} in ${summary.seconds.toFixed(2)}s (${rate} events/s)`,
    `  stored      ${summary.stored.toLocaleString('en-US')}`,
    `  rejected    ${summary.rejected.toLocaleString('en-US')}${summary.rejected > 0 ? '  (dead_letters table)' : ''}`,
    `  duplicates  ${summary.duplicates.toLocaleString('en-US')}`,
    ...(summary.failures.length > 0 ? [`  unreadable files  ${summary.failures.length}`] : []),
    ...(summary.kafkaOutput ? [`  stream results to Kafka  ${summary.kafkaOutput.produced.toLocaleString('en-US')} produced${summary.kafkaOutput.pending > 0 ? `, ${summary.kafkaOutput.pending.toLocaleString('en-US')} waiting in the outbox` : ''}`] : []),
  ].join('\n');
}
