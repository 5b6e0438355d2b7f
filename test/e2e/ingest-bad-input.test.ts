/**
 * `analytics ingest file` run as a process, fed the inputs real pipelines produce: broken files,
 * broken records, duplicates, and every supported format. A file that cannot be read stores
 * nothing and gets one clear error; a bad record is dead-lettered with its origin; the counts
 * always reconcile (read = stored + rejected + duplicates).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError } from '../support/assertions.js';
import { lakeCounts, makeWorkspace, queryRows, removeTempDirs, runCli, type CliResult, type LakeCounts } from '../support/cli.js';
import { runDuckDb, sqlString } from '../support/duckdb.js';
import type { IngestSummary } from '../../src/pipelines/ingest/file-ingest.js';
import { countByTable, mixedEvents, notificationEvent, toCsv, toNdjson, transactionEvent, transactions, type TestEvent } from '../support/events.js';

// The `--format json` summary is the library's IngestSummary, serialised.
interface IngestRun extends CliResult {
  /** The `--format json` summary; undefined when the command failed before printing one. */
  summary: IngestSummary | undefined;
}

interface DeadLetter {
  raw: string;
  origin: string;
  reasons: string[];
  stage: string;
  event_id: string | null;
}

async function ingest(workspace: string, args: string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}): Promise<IngestRun> {
  const result = await runCli(['ingest', 'file', ...args, '--format', 'json'], { cwd: workspace, ...options });
  const summary = result.stdout.trim() === '' ? undefined : (JSON.parse(result.stdout) as IngestSummary);
  return { ...result, summary };
}

/** read = stored + rejected + duplicates, per file and in total, and the totals add up. */
function expectReconciled(summary: IngestSummary): void {
  for (const file of summary.files) {
    expect(file.stored + file.rejected + file.duplicates, file.label).toBe(file.read);
    expect(file.tables.reduce((sum, table) => sum + table.stored, 0), file.label).toBe(file.stored);
  }
  const sum = (key: 'read' | 'stored' | 'rejected' | 'duplicates') => summary.files.reduce((total, file) => total + file[key], 0);
  expect(summary.stored + summary.rejected + summary.duplicates).toBe(summary.read);
  expect({ read: summary.read, stored: summary.stored, rejected: summary.rejected, duplicates: summary.duplicates })
    .toEqual({ read: sum('read'), stored: sum('stored'), rejected: sum('rejected'), duplicates: sum('duplicates') });
}

async function deadLetters(workspace: string, originLike: string): Promise<DeadLetter[]> {
  return queryRows<DeadLetter>(workspace, `SELECT raw, origin, reasons, stage, event_id FROM dead_letters WHERE origin LIKE ${sqlString(originLike)} ORDER BY ingest_date, batch_id, origin`);
}

/** The line number out of `file:line`. */
const lineOf = (origin: string): number => Number(origin.slice(origin.lastIndexOf(':') + 1));

async function storedIds(workspace: string, table: string, idLike: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(workspace, `SELECT id FROM ${table} WHERE id LIKE ${sqlString(idLike)} ORDER BY id`);
  return rows.map((row) => row.id);
}

const line = (event: TestEvent) => JSON.stringify(event);

afterAll(removeTempDirs);

describe('ingest file: a file that cannot be read is reported and stores nothing', () => {
  let workspace: string;
  let before: LakeCounts;

  beforeAll(async () => {
    workspace = await makeWorkspace();
    const write = (name: string, content: string | Buffer) => fs.writeFile(path.join(workspace, name), content);
    // Given a lake that already holds some events…
    await write('base.ndjson', toNdjson(mixedEvents('base', 8)));
    const base = await ingest(workspace, ['base.ndjson']);
    expect(base.exitCode, base.stderr).toBe(0);
    before = await lakeCounts(workspace);
    expect(before).toMatchObject({ transactions: 2, fraud_detections: 2, security_alerts: 2, notifications: 2, dead_letters: 0 });

    // …and a folder of broken inputs.
    const gzip = gzipSync(toNdjson(transactions('trunc', 400)));
    await write('truncated.ndjson.gz', gzip.subarray(0, Math.floor(gzip.length / 2)));
    const csvLines = toCsv(transactions('nosrc', 3)).trimEnd().split('\n');
    await write('no-source.csv', `${csvLines.map((row) => row.split(',').filter((_, index) => index !== 4).join(',')).join('\n')}\n`);
    await runDuckDb(`COPY (SELECT 1 AS a, 'x' AS b) TO ${sqlString(path.join(workspace, 'other-schema.parquet'))} (FORMAT parquet)`);
    await write('empty.ndjson', '');
    await fs.mkdir(path.join(workspace, 'a-folder'));
    await write('a-folder/inside.ndjson', toNdjson(transactions('folder', 2)));
    await write('random.bin', randomBytes(4096));
    await write('random.ndjson', randomBytes(4096));
    await write('not-json.json', `[${line(transactionEvent('arr-0'))}, {"id": "arr-1", "type": `);
  });

  const cases: { what: string; file: string; message: RegExp }[] = [
    { what: 'a truncated gzip file', file: 'truncated.ndjson.gz', message: /gzip/i },
    { what: 'a CSV file without the source column', file: 'no-source.csv', message: /columns? source/ },
    { what: 'a Parquet file of another schema', file: 'other-schema.parquet', message: /event columns/ },
    { what: 'an empty file', file: 'empty.ndjson', message: /empty/ },
    { what: 'a file that does not exist', file: 'missing.ndjson', message: /no such file/ },
    { what: 'a directory', file: 'a-folder', message: /directory/ },
    { what: 'random bytes named .bin', file: 'random.bin', message: /binary/ },
    { what: 'random bytes named .ndjson', file: 'random.ndjson', message: /binary/ },
    { what: 'a JSON array file that is not valid JSON', file: 'not-json.json', message: /JSON/ },
    { what: 'a glob that matches no file', file: 'nothing-*.ndjson', message: /no file matches/ },
  ];

  it.each(cases)('$what: one error naming the file, exit 1', async ({ file, message }) => {
    const run = await ingest(workspace, [file]);

    expectUserError(run, new RegExp(`^Error: ${file.replace(/[.*]/g, '\\$&')}: `), message);
    if (run.summary) {
      expect(run.summary.files).toEqual([]);
      expect(run.summary.failures.map((failure) => failure.label)).toEqual([file]);
      expect(run.summary.stored).toBe(0);
    }
  });

  it('stored nothing from any of them: neither events nor dead letters', async () => {
    expect(await lakeCounts(workspace)).toEqual(before);
  });

  it('stores the readable files of a run and reports the unreadable one (exit 1)', async () => {
    await fs.writeFile(path.join(workspace, 'more.ndjson'), toNdjson(transactions('more', 3)));

    const run = await ingest(workspace, ['more.ndjson', 'empty.ndjson']);

    expectUserError(run, /^Error: empty\.ndjson: /);
    expect(run.summary?.files.map((file) => [file.label, file.stored])).toEqual([['more.ndjson', 3]]);
    expect(run.summary?.failures.map((failure) => failure.label)).toEqual(['empty.ndjson']);
    expect(await lakeCounts(workspace)).toEqual({ ...before, transactions: before.transactions + 3 });
  });
});

describe('ingest file: rejected records are dead-lettered with their origin', () => {
  let workspace: string;
  const write = (name: string, content: string | Buffer) => fs.writeFile(path.join(workspace, name), content);

  beforeAll(async () => {
    workspace = await makeWorkspace();
  });

  it('rejects malformed lines in a good NDJSON file, with exact line numbers, and stores the rest', async () => {
    const bad = transactionEvent('neg-1', 9);
    bad.data.amount = -5;
    const content = Buffer.concat([
      Buffer.from([
        line(transactionEvent('mal-0', 0)), //                          1
        '{"id": "bad-1", "type": "transaction",', //                    2 malformed
        line(transactionEvent('mal-1', 1)), //                          3
        '', //                                                          4 blank
        'not json at all', //                                           5 after a blank line
        line(transactionEvent('mal-2', 2)), //                          6
      ].join('\n') + '\n'),
      Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d, 0x0a]), // 7 invalid UTF-8
      Buffer.from([
        '{"id": "bad-2"', //                                            8 after the invalid UTF-8 line
        line(transactionEvent('mal-3', 3)), //                          9
        line(bad), //                                                  10 valid JSON, invalid event
        line(transactionEvent('mal-4', 4)), //                         11
      ].join('\n') + '\n'),
    ]);
    await write('malformed.ndjson', content);

    const run = await ingest(workspace, ['malformed.ndjson']);

    // The default --max-errors is 0: the run fails, but everything valid is stored.
    expectUserError(run, /5 records were rejected/, /malformed\.ndjson/, /--max-errors 0/);
    expect(run.summary?.files[0]).toMatchObject({ label: 'malformed.ndjson', read: 10, stored: 5, rejected: 5, duplicates: 0 });
    expectReconciled(run.summary!);
    expect(await storedIds(workspace, 'transactions', 'mal-%')).toEqual(['mal-0', 'mal-1', 'mal-2', 'mal-3', 'mal-4']);

    const letters = await deadLetters(workspace, 'malformed.ndjson:%');
    expect(letters.map((letter) => letter.origin).sort((a, b) => lineOf(a) - lineOf(b)))
      .toEqual([2, 5, 7, 8, 10].map((n) => `malformed.ndjson:${n}`));
    const byLine = new Map(letters.map((letter) => [lineOf(letter.origin), letter]));
    expect(byLine.get(2)?.raw).toBe('{"id": "bad-1", "type": "transaction",');
    expect(byLine.get(5)?.raw).toBe('not json at all');
    expect(byLine.get(8)?.raw).toBe('{"id": "bad-2"');
    expect(byLine.get(7)?.stage).toBe('parse');
    expect(byLine.get(10)).toMatchObject({ stage: 'validate', event_id: 'neg-1', raw: line(bad) });
    expect(byLine.get(10)?.reasons.join('\n')).toMatch(/^data\.amount: /m);
    for (const letter of letters) expect(letter.reasons.length, letter.origin).toBeGreaterThan(0);
  });

  it('numbers lines right after blank lines when every line is valid UTF-8', async () => {
    await write('blanks.ndjson', [
      line(transactionEvent('blk-0')), // 1
      '', //                              2
      '{bad', //                          3
      '', //                              4
      '', //                              5
      line(transactionEvent('blk-1')), // 6
      '{bad2', //                         7
      line(transactionEvent('blk-2')), // 8 (no final newline)
    ].join('\n'));

    const run = await ingest(workspace, ['blanks.ndjson', '--max-errors', '-1']);

    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary?.files[0]).toMatchObject({ read: 5, stored: 3, rejected: 2 });
    expect((await deadLetters(workspace, 'blanks.ndjson:%')).map((letter) => letter.origin).sort())
      .toEqual(['blanks.ndjson:3', 'blanks.ndjson:7']);
  });

  it('numbers lines right after whitespace-only lines that follow an invalid UTF-8 line', async () => {
    await write('spaces.ndjson', Buffer.concat([
      Buffer.from(`${line(transactionEvent('spc-0'))}\n`), //   1
      Buffer.from([0xc3, 0x28, 0x7b, 0x7d, 0x0a]), //            2 invalid UTF-8
      Buffer.from([
        '   ', //                                               3
        '  ', //                                                4
        line(transactionEvent('spc-1')), //                     5
        '{bad', //                                              6
        '', //                                                  7
        line(transactionEvent('spc-2')), //                     8
        '{bad2', //                                             9
      ].join('\n') + '\n'),
    ]));

    const run = await ingest(workspace, ['spaces.ndjson', '--max-errors', '-1']);

    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary?.files[0]).toMatchObject({ stored: 3, rejected: 3 });
    expectReconciled(run.summary!);
    const origins = (await deadLetters(workspace, '%spaces.ndjson%')).map((letter) => letter.origin);
    expect(origins.sort((a, b) => lineOf(a) - lineOf(b))).toEqual(['spaces.ndjson:2', 'spaces.ndjson:6', 'spaces.ndjson:9']);
  });

  it('--max-errors: exits 1 over the limit and 0 within it; valid records are stored either way', async () => {
    const fileWith = async (name: string) => {
      await write(`${name}.ndjson`, [line(transactionEvent(`${name}-0`)), '{bad', line(transactionEvent(`${name}-1`)), '[1,2]', line(transactionEvent(`${name}-2`))].join('\n') + '\n');
      return `${name}.ndjson`;
    };

    const over = await ingest(workspace, [await fileWith('lim1'), '--max-errors', '1']);
    expectUserError(over, /2 records were rejected/, /--max-errors 1/);
    expect(over.summary).toMatchObject({ stored: 3, rejected: 2, maxErrors: 1, tooManyRejects: true });

    const at = await ingest(workspace, [await fileWith('lim2'), '--max-errors', '2']);
    expect(at.exitCode, at.stderr).toBe(0);
    expect(at.summary).toMatchObject({ stored: 3, rejected: 2, tooManyRejects: false });

    const unlimited = await ingest(workspace, [await fileWith('lim3'), '--max-errors', '-1']);
    expect(unlimited.exitCode, unlimited.stderr).toBe(0);
    expect(unlimited.stderr).not.toMatch(/^Error:/m);
    expect(unlimited.summary).toMatchObject({ stored: 3, rejected: 2, maxErrors: -1, tooManyRejects: false });

    const stored = await queryRows<{ name: string; events: number; letters: number }>(workspace, `SELECT name,
        (SELECT count(*) FROM transactions WHERE id LIKE name || '-%') AS events, (SELECT count(*) FROM dead_letters WHERE origin LIKE name || '.ndjson:%') AS letters
      FROM (VALUES ('lim1'), ('lim2'), ('lim3')) v(name) ORDER BY name`);
    expect(stored).toEqual(['lim1', 'lim2', 'lim3'].map((name) => ({ name, events: 3, letters: 2 })));
  });

  it('drops duplicate ids within a file, and counts them', async () => {
    const events = [transactionEvent('dup-0'), transactionEvent('dup-1'), transactionEvent('dup-0'), transactionEvent('dup-2'), transactionEvent('dup-1')];
    await write('dups.ndjson', toNdjson(events));

    const run = await ingest(workspace, ['dups.ndjson']);

    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary?.files[0]).toMatchObject({ read: 5, stored: 3, rejected: 0, duplicates: 2 });
    expectReconciled(run.summary!);
    expect(await storedIds(workspace, 'transactions', 'dup-%')).toEqual(['dup-0', 'dup-1', 'dup-2']);
  });

  it('stores nothing the second time the same file is ingested: every record is a duplicate', async () => {
    const events = mixedEvents('twice', 8);
    await write('twice.ndjson', toNdjson(events));

    const first = await ingest(workspace, ['twice.ndjson']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.summary).toMatchObject({ read: 8, stored: 8, duplicates: 0 });
    const after = await lakeCounts(workspace);

    const second = await ingest(workspace, ['twice.ndjson']);

    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.summary).toMatchObject({ read: 8, stored: 0, rejected: 0, duplicates: 8 });
    expect(Object.fromEntries(second.summary!.files[0]!.tables.map((table) => [table.table, table.duplicates]))).toEqual(countByTable(events));
    expectReconciled(second.summary!);
    expect(await lakeCounts(workspace)).toEqual(after);
  });

  it('reconciles counts over a run of several files with rejects and duplicates', async () => {
    await write('rec-a.ndjson', [line(transactionEvent('rec-0')), '{bad', line(transactionEvent('rec-1')), line(transactionEvent('rec-0'))].join('\n') + '\n');
    await write('rec-b.ndjson', [line(transactionEvent('rec-1')), line(transactionEvent('rec-2')), '{"id": 5}'].join('\n') + '\n');
    const before = await lakeCounts(workspace);

    const run = await ingest(workspace, ['rec-*.ndjson', '--max-errors', '-1']);

    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary?.files.map((file) => [file.label, file.read, file.stored, file.rejected, file.duplicates])).toEqual([
      ['rec-a.ndjson', 4, 2, 1, 1],
      ['rec-b.ndjson', 3, 1, 1, 1],
    ]);
    expectReconciled(run.summary!);
    const after = await lakeCounts(workspace);
    expect(after.transactions - before.transactions).toBe(run.summary!.stored);
    expect(after.dead_letters - before.dead_letters).toBe(run.summary!.rejected);
  });
});

describe('ingest file: every input format', () => {
  let workspace: string;
  const write = (name: string, content: string | Buffer) => fs.writeFile(path.join(workspace, name), content);

  beforeAll(async () => {
    workspace = await makeWorkspace();
  });

  it('reads standard input (-), with origins stdin:LINE', async () => {
    const input = [line(transactionEvent('in-0')), line(transactionEvent('in-1')), '', '{oops', line(notificationEvent('in-2'))].join('\n') + '\n';

    const run = await ingest(workspace, ['-', '--max-errors', '-1'], { input });

    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary?.files[0]).toMatchObject({ label: 'stdin', format: 'ndjson', read: 4, stored: 3, rejected: 1 });
    expect((await deadLetters(workspace, 'stdin:%')).map((letter) => [letter.origin, letter.raw])).toEqual([['stdin:4', '{oops']]);
    expect(await storedIds(workspace, 'notifications', 'in-%')).toEqual(['in-2']);
  });

  it('reads a glob of several files, in name order', async () => {
    await fs.mkdir(path.join(workspace, 'batch'));
    for (const name of ['c', 'a', 'b']) await write(`batch/${name}.ndjson`, toNdjson(mixedEvents(`glob-${name}`, 4)));

    const run = await ingest(workspace, ['batch/*.ndjson']);

    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary?.files.map((file) => [file.label, file.stored])).toEqual([['batch/a.ndjson', 4], ['batch/b.ndjson', 4], ['batch/c.ndjson', 4]]);
    expect(await storedIds(workspace, 'security_alerts', 'glob-%')).toEqual(['glob-a-2', 'glob-b-2', 'glob-c-2']);
  });

  it('reads gzip NDJSON, with line numbers of the decompressed text', async () => {
    const events = mixedEvents('gz', 8);
    const text = [...events.slice(0, 4).map(line), '{not json', ...events.slice(4).map(line)].join('\n') + '\n';
    await write('events.ndjson.gz', gzipSync(text));

    const run = await ingest(workspace, ['events.ndjson.gz', '--max-errors', '1']);

    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary?.files[0]).toMatchObject({ format: 'ndjson', read: 9, stored: 8, rejected: 1 });
    expect((await deadLetters(workspace, 'events.ndjson.gz:%')).map((letter) => letter.origin)).toEqual(['events.ndjson.gz:5']);
    const [counts] = await queryRows<Record<string, number>>(workspace, `SELECT
      (SELECT count(*) FROM transactions WHERE id LIKE 'gz-%') AS transactions, (SELECT count(*) FROM fraud_detections WHERE id LIKE 'gz-%') AS fraud_detections,
      (SELECT count(*) FROM security_alerts WHERE id LIKE 'gz-%') AS security_alerts, (SELECT count(*) FROM notifications WHERE id LIKE 'gz-%') AS notifications`);
    expect(counts).toEqual(countByTable(events));
  });

  it('reads CSV with dotted data columns (data.amount…), typed by the contract', async () => {
    const events = mixedEvents('csv', 4);
    const bad = transactionEvent('csv-bad', 7);
    bad.data.currency = 'EURO';
    await write('events.csv', toCsv([...events, bad]));

    const run = await ingest(workspace, ['events.csv', '--max-errors', '-1']);

    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary?.files[0]).toMatchObject({ format: 'csv', read: 5, stored: 4, rejected: 1 });
    // The header is line 1, so the fifth record is on line 6.
    const [letter] = await deadLetters(workspace, 'events.csv:%');
    expect(letter).toMatchObject({ origin: 'events.csv:6', event_id: 'csv-bad' });
    expect(letter?.reasons.join('\n')).toMatch(/data\.currency/);
    const [tx] = await queryRows(workspace, "SELECT amount::VARCHAR AS amount, currency, merchant_id, country_name FROM transactions WHERE id = 'csv-0'");
    expect(tx).toEqual({ amount: '10.5000', currency: 'EUR', merchant_id: 'mer-0', country_name: expect.any(String) });
    const [fraud] = await queryRows(workspace, "SELECT score, rules_triggered FROM fraud_detections WHERE id = 'csv-1'");
    expect(fraud).toEqual({ score: 0.12, rules_triggered: ['velocity'] });
    const [notification] = await queryRows(workspace, "SELECT latency_ms, channel FROM notifications WHERE id = 'csv-3'");
    expect(notification).toEqual({ latency_ms: 120, channel: 'email' });
  });

  it('reads a JSON array file, with origins file#N', async () => {
    const events = mixedEvents('arr', 4);
    const missingType: Record<string, unknown> = { ...transactionEvent('arr-bad') };
    delete missingType.type;
    await write('events.json', JSON.stringify([events[0], events[1], missingType, events[2], events[3]], null, 2));

    const run = await ingest(workspace, ['events.json', '--max-errors', '-1']);

    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary?.files[0]).toMatchObject({ format: 'json', read: 5, stored: 4, rejected: 1 });
    const [letter] = await deadLetters(workspace, 'events.json%');
    expect(letter).toMatchObject({ origin: 'events.json#3', event_id: 'arr-bad' });
    expect(letter?.reasons.join('\n')).toMatch(/^type: /m);
    expect(await storedIds(workspace, 'transactions', 'arr-%')).toEqual(['arr-0']);
  });

  it('reads Parquet written by DuckDB from NDJSON (data as a STRUCT)', async () => {
    const events = mixedEvents('pq', 8);
    await write('pq-source.ndjson', toNdjson(events));
    const parquet = path.join(workspace, 'events.parquet');
    await runDuckDb(`COPY (SELECT * FROM read_json(${sqlString(path.join(workspace, 'pq-source.ndjson'))})) TO ${sqlString(parquet)} (FORMAT parquet)`);
    const [described] = await queryRows<{ column_type: string }>(workspace, `SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(parquet)})) WHERE column_name = 'data'`);
    expect(described?.column_type).toMatch(/^STRUCT\(/);

    const run = await ingest(workspace, ['events.parquet']);

    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary?.files[0]).toMatchObject({ format: 'parquet', read: 8, stored: 8, rejected: 0 });
    const rows = await queryRows<{ id: string; occurred_at: string; amount: number }>(workspace, "SELECT id, occurred_at, amount FROM transactions WHERE id LIKE 'pq-%' ORDER BY id");
    // 10:00:00.123+01:00 is 09:00:00.123 UTC.
    expect(rows).toEqual([{ id: 'pq-0', occurred_at: '2026-11-25T09:00:00.123Z', amount: 10.5 }, { id: 'pq-4', occurred_at: '2026-11-25T13:04:00.123Z', amount: 14.5 }]);
  });

  it('stores event time, event_date and event_hour in UTC whatever the local time zone', async () => {
    const event = transactionEvent('tz-0');
    event.occurred_at = '2026-11-25T01:30:00.000Z'; // still the 24th in New York, already 10:30 in Tokyo
    await write('tz.ndjson', toNdjson([event]));
    const parquet = path.join(workspace, 'tz.parquet');
    await runDuckDb(`COPY (SELECT 'tz-1' AS id, type, version, occurred_at::TIMESTAMPTZ AS occurred_at, source, data
      FROM read_json(${sqlString(path.join(workspace, 'tz.ndjson'))}, columns = {id: 'VARCHAR', type: 'VARCHAR', version: 'BIGINT', occurred_at: 'VARCHAR', source: 'VARCHAR',
        data: 'STRUCT(transaction_id VARCHAR, account_id VARCHAR, customer_id VARCHAR, merchant_id VARCHAR, amount VARCHAR, currency VARCHAR, status VARCHAR, channel VARCHAR, country VARCHAR)'}))
      TO ${sqlString(parquet)} (FORMAT parquet)`);

    const run = await ingest(workspace, ['tz.ndjson', 'tz.parquet'], { env: { TZ: 'America/New_York' } });

    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.summary?.stored).toBe(2);
    const rows = await queryRows(workspace, "SELECT id, occurred_at, event_date::VARCHAR AS event_date, event_hour FROM transactions WHERE id LIKE 'tz-%' ORDER BY id");
    expect(rows).toEqual([
      { id: 'tz-0', occurred_at: '2026-11-25T01:30:00.000Z', event_date: '2026-11-25', event_hour: 1 },
      { id: 'tz-1', occurred_at: '2026-11-25T01:30:00.000Z', event_date: '2026-11-25', event_hour: 1 },
    ]);

    // The same events ingested from another time zone are recognised as duplicates.
    const again = await ingest(workspace, ['tz.ndjson', 'tz.parquet'], { env: { TZ: 'Asia/Tokyo' } });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.summary).toMatchObject({ stored: 0, duplicates: 2 });
  });
});
