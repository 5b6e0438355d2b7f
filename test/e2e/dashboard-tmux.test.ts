/**
 * `analytics dashboard` as a user runs it: the real command in a tmux session at 200×60, on a
 * workspace fed by a running `analytics ingest kafka` daemon and a real broker. Keys are sent
 * with `tmux send-keys` (filter, time range, drill-down, export, snapshot, quit) and the screen
 * is read with `tmux capture-pane`. Widgets bound to a stream of the live feed are covered in
 * test/integration/dashboard-feed.test.tsx (the daemon's feed is built on another branch).
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, queryRows, removeTempDirs, runCli } from '../support/cli.js';
import type { TestEvent } from '../support/events.js';
import { sharedBroker, type KafkaBrokerHandle } from '../support/kafka-broker.js';
import { TmuxSession } from '../support/tmux.js';
import { connectProducer, createTopics, eventually, makeKafkaWorkspace, produceEvents, startDaemon, type DaemonProcess, type KafkaWorkspace, type Producer } from '../support/kafka-ingest.js';
import { freePort } from '../support/ports.js';

const COUNTRIES = ['FR', 'US', 'DE'] as const;
const CHANNELS = ['ecommerce', 'card_present'] as const;

/** Transaction n, `secondsAgo` before now: country FR, US, DE in turn; channel ecommerce, card_present in turn; every 10th declined. */
function transaction(prefix: string, n: number, secondsAgo: number): TestEvent {
  return {
    id: `${prefix}-${n}`,
    type: 'transaction',
    version: 1,
    occurred_at: new Date(Date.now() - secondsAgo * 1000).toISOString(),
    source: 'payments-api',
    data: {
      transaction_id: `t-${prefix}-${n}`, account_id: `acc-${n % 7}`, customer_id: `cus-${n % 9}`, merchant_id: `mer-${n % 4}`, merchant_category: '5411',
      amount: `${10 + (n % 50)}.00`, currency: 'EUR', status: n % 10 === 0 ? 'declined' : 'captured',
      channel: CHANNELS[n % 2], country: COUNTRIES[n % 3],
    },
  };
}

function alert(n: number, secondsAgo: number): TestEvent {
  return {
    id: `alert-${n}`, type: 'security_alert', version: 1, occurred_at: new Date(Date.now() - secondsAgo * 1000).toISOString(), source: 'auth',
    data: { alert_id: `a-${n}`, severity: ['low', 'medium', 'high', 'critical'][n % 4], category: 'failed_login', country: COUNTRIES[n % 3], ip: '192.0.2.7' },
  };
}

const terminal = new TmuxSession(`analytics-dash-${process.pid}`);
const SIZE = { columns: 200, rows: 60 };

describe('analytics dashboard in tmux, fed by a running ingest daemon', () => {
  let broker: KafkaBrokerHandle;
  let producer: Producer;
  let workspace: KafkaWorkspace;
  let daemon: DaemonProcess;

  beforeAll(async () => {
    broker = await sharedBroker();
    producer = await connectProducer(broker.brokers);
    workspace = await makeKafkaWorkspace({ batchMaxMs: 300 });
    // The status panel reads the daemon's metrics endpoint from kafka.metrics_port.
    const config = path.join(workspace.dir, 'analytics.yaml');
    await writeFile(config, (await readFile(config, 'utf8')).replace('metrics_port: 0', `metrics_port: ${await freePort()}`));
    await createTopics(broker.brokers, Object.values(workspace.topics));
    daemon = startDaemon(workspace, broker.brokers);
    await daemon.waitForLog(/metrics on/);
    // 300 transactions over the last 10 minutes and 20 security alerts.
    await produceEvents(producer, workspace.topics, [
      ...Array.from({ length: 300 }, (_, n) => transaction('tx', n, 30 + 2 * n)),
      ...Array.from({ length: 20 }, (_, n) => alert(n, 20 + 10 * n)),
    ]);
    await eventually(() => queryRows<{ n: number }>(workspace.dir, 'SELECT (SELECT count(*) FROM transactions) + (SELECT count(*) FROM security_alerts) AS n'), (rows) => rows[0]?.n === 320, 60_000);
  });

  afterAll(async () => {
    await terminal.stop();
    daemon?.process.kill('SIGTERM');
    await daemon?.process;
    await producer?.disconnect();
    await broker?.stop();
    await removeTempDirs();
  });

  it('refuses to start without a terminal and offers --once', async () => {
    const result = await runCli(['dashboard'], { cwd: workspace.dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('analytics dashboard needs an interactive terminal');
    expect(result.stderr).toContain('--once');
    const once = await runCli(['dashboard', '--once', '--columns', '200', '--rows', '60'], { cwd: workspace.dir });
    expect(once.exitCode).toBe(0);
    expect(once.stdout.split('\n').length).toBeGreaterThanOrEqual(60);
    expect(once.stdout).toContain('Payments — live');
    expect(once.stdout).not.toContain('\u001b[');
  });

  it('shows the live state, filters, switches the time range, drills down, exports, snapshots and quits cleanly', async () => {
    // Given the real command in a 200×60 terminal, from a shell with CI=true (as on CI runners
    // and some cloud IDEs: Ink would then draw only the last frame, on exit)
    const command = `cd ${workspace.dir} && CI=true node ${CLI} dashboard; echo "DASHBOARD-EXIT=$?"; sleep 120`;
    await terminal.start(command, SIZE);
    // The event log is the last widget drawn: a capture taken while Ink writes a frame can hold
    // its top half only (seen once on CI), so the first full frame is the one that shows it.
    let screen = await terminal.screenUntil((text) => text.includes('Payments — live') && text.includes('Ingest    running') && !text.includes('loading…') && text.includes('critical  failed_login'), 'the first full frame');
    expect(screen).toMatch(/Security alerts/);
    expect(screen).toMatch(/card_present +█/); // the stacked bars by channel
    expect(screen).toMatch(/top: [A-Z]{2} /); // the map legend
    expect(screen).toContain('critical  failed_login'); // the event log

    // A resize lays the grid out again; below the dashboard's minimum size it says so.
    await terminal.resize({ columns: 100, rows: 30 });
    await terminal.screenUntil((text) => text.includes('The terminal is 100×30; this dashboard needs at least 120×40'), 'the too-small notice');
    await terminal.resize(SIZE);
    await terminal.screenUntil((text) => text.includes('Platform status') && text.includes('Security alerts') && !text.includes('this dashboard needs'), 'the grid after the resize');

    // The daemon keeps ingesting: 30 more FR/ecommerce-heavy events show up on refresh.
    await produceEvents(producer, workspace.topics, Array.from({ length: 30 }, (_, n) => transaction('late', n * 6, 5)));
    await eventually(() => queryRows<{ n: number }>(workspace.dir, 'SELECT count(*) AS n FROM transactions'), (rows) => rows[0]?.n === 330, 60_000);

    // Filter: country=FR
    await terminal.keys('f');
    await terminal.screenUntil((text) => text.includes('filter> '), 'the filter bar');
    await terminal.type('country=FR');
    await terminal.keys('Enter');
    // FR is every third of the first 300 transactions, half of them ecommerce (n % 6 == 0), half
    // card_present; the 30 late ones (n = 0, 6, 12…) are all FR and ecommerce.
    const frEcommerce = 50 + 30;
    const frCardPresent = 50;
    screen = await terminal.screenUntil(
      (text) => text.includes('Filters: country=FR') && new RegExp(`ecommerce +[█▓▒░▚]+ +${frEcommerce}\\b`).test(text) && new RegExp(`card_present +[█▓▒░▚]+ +${frCardPresent}\\b`).test(text),
      'the filtered bars',
    );

    // Time range: 15m, then 24h
    await terminal.keys('1');
    screen = await terminal.screenUntil((text) => text.includes('last 15m'), 'the 15m range');
    await terminal.keys('3');
    screen = await terminal.screenUntil((text) => text.includes('last 24h'), 'the 24h range');

    // Drill down from the first bar (focus: 6 KPIs, line, map, then the bars)
    for (let n = 0; n < 8; n++) await terminal.keys('Tab');
    screen = await terminal.screenUntil((text) => text.includes('›ecommerce'), 'the selected bar');
    await terminal.keys('Enter');
    screen = await terminal.screenUntil((text) => text.includes('Transactions by channel and status: channel = ecommerce') && text.includes(`${frEcommerce} events`), 'the drill-down');
    expect(screen).toMatch(/occurred_at +id +status +amount/);

    // Export the drill-down as CSV, and the screen as text
    await terminal.keys('e');
    screen = await terminal.screenUntil((text) => /exported \d+ rows to \S+\.csv/.test(text), 'the export');
    await terminal.keys('p');
    await terminal.screenUntil((text) => /screen saved to \S+\.txt/.test(text), 'the snapshot');
    const exportsDir = path.join(workspace.dir, 'exports');
    const files = await readdir(exportsDir);
    const csv = readFileSync(path.join(exportsDir, files.find((file) => file.endsWith('.csv'))!), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(frEcommerce + 1);
    const header = csv[0]!.split(',');
    expect(header.slice(0, 4)).toEqual(['occurred_at', 'id', 'status', 'amount']);
    const country = header.indexOf('country');
    const channel = header.indexOf('channel');
    expect(csv.slice(1).every((line) => line.split(',')[country] === 'FR' && line.split(',')[channel] === 'ecommerce')).toBe(true);
    const snapshot = readFileSync(path.join(exportsDir, files.find((file) => file.endsWith('.txt'))!), 'utf8');
    expect(snapshot).toContain('Transactions by channel and status: channel = ecommerce');

    // Save the view (filter, range, focus) and reopen it later with --view.
    // Wait for the Escape to land: an Escape and a key read together are one Alt+key.
    await terminal.keys('Escape');
    await terminal.screenUntil((text) => !text.includes('channel = ecommerce') && text.includes('Platform status'), 'the grid after the drill-down');
    await terminal.keys('w');
    await terminal.type('fr-ecommerce');
    await terminal.keys('Enter');
    await terminal.screenUntil((text) => text.includes('view saved to fr-ecommerce.json'), 'the saved view');

    // Back to the grid, then quit: the terminal leaves the alternate screen and shows the cursor again.
    await terminal.keys('Escape');
    await terminal.screenUntil((text) => text.includes('Platform status'), 'the grid again');
    await terminal.keys('q');
    screen = await terminal.screenUntil((text) => text.includes('DASHBOARD-EXIT='), 'the exit');
    expect(screen).toContain('DASHBOARD-EXIT=0');
    expect(screen).not.toContain('Payments — live');
    const modes = await terminal.display('#{alternate_on} #{cursor_flag}');
    expect(modes).toBe('0 1');
    expect(existsSync(path.join(workspace.dir, 'exports'))).toBe(true);

    // The saved view opens with its filter and range.
    const reopened = await runCli(['dashboard', '--once', '--view', 'fr-ecommerce', '--columns', '200', '--rows', '60'], { cwd: workspace.dir });
    expect(reopened.exitCode).toBe(0);
    expect(reopened.stdout).toContain('last 24h');
    expect(reopened.stdout).toContain('view fr-ecommerce');
    expect(reopened.stdout).toContain('Filters: country=FR');
    expect(reopened.stdout).toMatch(new RegExp(`ecommerce +[█▓▒░▚]+ +${frEcommerce}\\b`));
  }, 240_000);

  it('Ctrl+C and SIGTERM also leave the terminal as it was', async () => {
    for (const stop of ['ctrl-c', 'sigterm'] as const) {
      await terminal.start(`cd ${workspace.dir} && node ${CLI} dashboard; echo "DASHBOARD-EXIT=$?"; sleep 120`, SIZE);
      await terminal.screenUntil((text) => text.includes('Payments — live') && text.includes('Platform status'), 'the dashboard');
      if (stop === 'ctrl-c') {
        await terminal.keys('C-c');
      } else {
        const shell = await terminal.display('#{pane_pid}');
        const node = String((await execa('ps', ['-o', 'pid=', '--ppid', shell])).stdout).trim().split('\n')[0]!.trim();
        process.kill(Number(node), 'SIGTERM');
      }
      const screen = await terminal.screenUntil((text) => text.includes('DASHBOARD-EXIT='), `the exit after ${stop}`);
      expect(screen).toContain(stop === 'ctrl-c' ? 'DASHBOARD-EXIT=0' : 'DASHBOARD-EXIT=143');
      expect(screen).not.toContain('Payments — live');
      expect(await terminal.display('#{alternate_on} #{cursor_flag}')).toBe('0 1');
    }
  }, 120_000);
});
