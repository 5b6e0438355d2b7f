import { Args, Flags } from '@oclif/core';
import chalk from 'chalk';
import { BaseCommand } from '../../cli/base-command.js';
import { UserError } from '../../errors.js';
import { loadStreams } from '../../streams/config.js';
import { tailFeed } from '../../streams/feed-client.js';
import type { ServerMessage } from '../../streams/feed-protocol.js';

export default class StreamTail extends BaseCommand {
  static override summary = 'Print the live feed of a stream job\'s results as they are committed.';
  static override description = 'Connects to the live feed of the running ingest daemon (found through .analytics/feed.json), subscribes to the named jobs and prints every result row: one line per row, or the feed messages as NDJSON with --format json (docs/streams.md has the message format). Reconnects with backoff when the daemon restarts. Stops on Ctrl-C, or after --count results.';
  static override examples = [
    '<%= config.bin %> stream tail tx_per_minute',
    '<%= config.bin %> stream tail fraud_joined,failed_logins_then_large_tx --format json | jq .row',
    '<%= config.bin %> stream tail "*" --count 10',
  ];
  static override args = { name: Args.string({ description: 'Job name(s), comma-separated, or * for all.', required: true }) };
  static override flags = {
    format: Flags.string({ summary: 'text: one line per result; json: every feed message as NDJSON (results and status).', options: ['text', 'json'], default: 'text' }),
    count: Flags.integer({ summary: 'Exit after this many result rows.', min: 1 }),
    'wait-seconds': Flags.integer({ summary: 'Give up when no feed answers for this long (default: keep trying).', min: 1 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StreamTail);
    this.setupLogging('stream', flags.debug);
    const workspace = await this.loadWorkspace(flags.workspace);
    const names = args.name.split(',').map((name) => name.trim()).filter(Boolean);
    const { file } = await loadStreams(workspace.root, workspace.registry, workspace.config.kafka);
    const known = file.streams.map((job) => job.name);
    const unknown = names.filter((name) => name !== '*' && !known.includes(name));
    if (unknown.length > 0) throw new UserError('BAD_ARGUMENT', `No stream job named ${unknown.map((name) => `"${name}"`).join(', ')} in streams.yaml.`, { hint: `Known jobs: ${known.join(', ') || 'none'}.` });
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let results = 0;
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    await tailFeed({
      workspaceRoot: workspace.root,
      streams: names,
      signal: controller.signal,
      ...(flags['wait-seconds'] ? { connectTimeoutMs: flags['wait-seconds'] * 1000 } : {}),
      onConnection: (event) => (event.state === 'connected' ? this.logger.info(`connected to ${event.url}`) : this.logger.warn(`feed lost (${event.reason}); reconnecting`)),
      onMessage: (message: ServerMessage) => {
        if (flags.format === 'json') process.stdout.write(`${JSON.stringify(message)}\n`);
        if (message.type !== 'result') return;
        if (flags.format === 'text') {
          const values = Object.entries(message.row).map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('|') : String(value)}`).join(' ');
          const head = `${message.emitted_at} ${message.stream} ${message.op}`;
          process.stdout.write(`${color ? chalk.gray(head) : head} ${values}\n`);
        }
        results++;
        if (flags.count !== undefined && results >= flags.count) controller.abort();
      },
    });
  }
}
