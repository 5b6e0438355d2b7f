/**
 * What every command shares: the --workspace and --debug flags, the workspace lookup, and the
 * error policy. A UserError prints one line and its hint and exits 1; anything else is a bug:
 * exit 2, stack only with --debug.
 */
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import chalk from 'chalk';
import { isUserError } from '../errors.js';
import { openWorkspace, type Workspace } from '../workspace/workspace.js';
import { createLogger, type Logger } from './logger.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    workspace: Flags.string({
      char: 'w',
      summary: 'Workspace folder (default: the current folder or the nearest parent with analytics.yaml).',
      env: 'ANALYTICS_WORKSPACE',
      helpGroup: 'GLOBAL',
    }),
    debug: Flags.boolean({ summary: 'Show stack traces and debug logs.', helpGroup: 'GLOBAL', default: false }),
  };

  protected logger: Logger = createLogger({ component: 'analytics' });
  private debugEnabled = false;

  protected async loadWorkspace(workspace: string | undefined): Promise<Workspace> {
    return openWorkspace(workspace === undefined ? {} : { workspace });
  }

  protected setupLogging(component: string, debug: boolean): void {
    this.debugEnabled = debug;
    this.logger = createLogger({ component, debug });
  }

  /** Writes a result line to stdout (results only; diagnostics go to the logger). */
  protected out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error;
    const stderr = process.stderr;
    if (isUserError(error)) {
      stderr.write(`${chalk.red('Error:')} ${error.message}\n`);
      if (error.hint) stderr.write(`${chalk.yellow('Hint:')} ${error.hint}\n`);
      if (this.debugEnabled && error.stack) stderr.write(`${error.stack}\n`);
      this.exit(error.exitCode);
    }
    if (error.oclif !== undefined) {
      // Flag and argument parsing errors are the user's to fix.
      stderr.write(`${chalk.red('Error:')} ${error.message.split('\n')[0]}\n${chalk.yellow('Hint:')} See: analytics ${this.id?.replaceAll(':', ' ') ?? ''} --help\n`);
      this.exit(1);
    }
    stderr.write(`${chalk.red('Internal error:')} ${error.message}\n`);
    stderr.write(this.debugEnabled && error.stack ? `${error.stack}\n` : 'This is a bug in analytics. Run again with --debug for the stack trace and report it.\n');
    this.exit(2);
    return undefined;
  }
}
