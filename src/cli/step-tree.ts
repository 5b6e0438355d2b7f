/**
 * The live view of an ETL run on stderr: on a terminal, a tree of pipelines and their steps
 * redrawn in place with rows and timings; elsewhere one plain log line per finished step.
 */
import chalk from 'chalk';
import type { StepRecord } from '../etl/history.js';
import type { EtlEvent } from '../etl/run.js';
import type { Logger } from './logger.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const count = (value: number) => value.toLocaleString('en-US');

export function stepMark(status: StepRecord['status'], frame = 0): string {
  switch (status) {
    case 'succeeded': return chalk.green('✔');
    case 'failed': return chalk.red('✖');
    case 'skipped': return chalk.gray('-');
    case 'running': return chalk.cyan(SPINNER[frame % SPINNER.length]!);
    default: return chalk.gray('·');
  }
}

export function stepLine(step: StepRecord, frame = 0, width = 28): string {
  const detail = step.status === 'succeeded'
    ? `${count(step.rowsIn).padStart(11)} in ${count(step.rowsOut).padStart(11)} out${step.table ? chalk.gray(` → ${step.table} (${count(step.tableRows ?? 0)} rows)`) : ''}`
    : step.status === 'failed' ? chalk.red('failed') : step.status === 'skipped' ? chalk.gray('skipped') : step.status === 'running' ? chalk.cyan('running') : chalk.gray('waiting');
  const time = step.status === 'pending' || step.status === 'skipped' ? '' : chalk.gray(` ${step.seconds.toFixed(2)}s`);
  return `${stepMark(step.status, frame)} ${step.name.padEnd(width)} ${detail}${time}`;
}

export class StepTree {
  private readonly tty: boolean;
  private lines = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private title = '';
  private steps: StepRecord[] = [];
  private startedAt = new Map<string, number>();

  constructor(private readonly logger: Logger, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(stream.isTTY);
  }

  readonly onEvent = (event: EtlEvent): void => {
    switch (event.type) {
      case 'pipeline-start':
        if (!this.tty) this.logger.info(`pipeline ${event.pipeline}: run ${event.runId}${event.resumedFrom ? ` resumes ${event.resumedFrom}` : ''}`, { pipeline: event.pipeline, run: event.runId, dates: event.dates.length });
        break;
      case 'partition-start':
        this.title = `${chalk.bold(event.pipeline)}${event.date ? ` ${event.date}` : ''}`;
        this.steps = event.steps;
        if (this.tty) this.start();
        break;
      case 'step': {
        const index = this.steps.findIndex((step) => step.name === event.step.name);
        if (index >= 0) this.steps[index] = event.step;
        if (event.step.status === 'running') this.startedAt.set(event.step.name, Date.now());
        if (!this.tty && ['succeeded', 'failed', 'skipped'].includes(event.step.status)) {
          const fields = { pipeline: event.pipeline, date: event.date, step: event.step.name, status: event.step.status, rows_in: event.step.rowsIn, rows_out: event.step.rowsOut, seconds: Number(event.step.seconds.toFixed(3)), ...(event.step.error ? { error: event.step.error } : {}) };
          const text = `${event.pipeline}${event.date ? ` ${event.date}` : ''} ${event.step.name}: ${event.step.status}${event.step.status === 'succeeded' ? `, ${count(event.step.rowsOut)} rows in ${event.step.seconds.toFixed(2)}s` : ''}`;
          if (event.step.status === 'failed') this.logger.error(text, fields);
          else this.logger.info(text, fields);
        }
        break;
      }
      case 'partition-end':
        if (this.tty) this.stop();
        else if (event.partition.status === 'skipped') this.logger.info(`${event.pipeline} ${event.partition.date}: already committed by the run resumed, skipped`);
        break;
      case 'pipeline-end':
        break;
    }
  };

  private render(): void {
    const width = Math.max(12, ...this.steps.map((step) => step.name.length));
    const lines = [this.title, ...this.steps.map((step) => `  ${stepLine(step.status === 'running' ? { ...step, seconds: (Date.now() - (this.startedAt.get(step.name) ?? Date.now())) / 1000 } : step, this.frame, width)}`)];
    this.stream.write(`${this.lines > 0 ? `\x1b[${this.lines}A` : ''}${lines.map((line) => `\r\x1b[2K${line}`).join('\n')}\n`);
    this.lines = lines.length;
  }

  private start(): void {
    this.lines = 0;
    this.render();
    this.timer = setInterval(() => {
      this.frame++;
      this.render();
    }, 120);
  }

  /** Draws the final state once and leaves it on screen. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.render();
    this.lines = 0;
  }
}
