/**
 * Every check type passing and failing against a real lake, the error result of a check that
 * cannot run, volume change against the previous run, and the JUnit XML parsed back.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksToJunit } from '../../src/checks/junit.js';
import { runChecks, type CheckRun } from '../../src/checks/run.js';
import { ingestFiles } from '../../src/pipelines/ingest/file-ingest.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { transactionEvent, writeTransactions } from '../support/sample-events.js';
import { tempWorkspace } from '../support/workspace.js';

const CHECKS = `
version: 1
pipelines: []
checks:
  - { name: ok_unique, table: transactions, type: unique, columns: [id] }
  - { name: bad_unique, table: transactions, type: unique, columns: [account_id] }
  - { name: ok_not_null, table: transactions, type: not_null, columns: [id, amount] }
  - { name: bad_not_null, table: transactions, type: not_null, columns: [city] }
  - { name: ok_values, table: transactions, type: accepted_values, column: status, values: [captured, declined] }
  - { name: bad_values, table: transactions, type: accepted_values, column: status, values: [captured] }
  - { name: ok_range, table: transactions, type: range, column: amount, min: 0, max: 100 }
  - { name: bad_range, table: transactions, type: range, column: amount, max: 1 }
  - { name: ok_rows, table: transactions, type: row_count, min: 1, max: 1000 }
  - { name: bad_rows, table: transactions, type: row_count, min: 5000 }
  - { name: ok_fresh, table: transactions, type: freshness, max_age: 36500d }
  - { name: bad_fresh, table: transactions, type: freshness, max_age: 1h, severity: warn }
  - { name: ok_fk, table: fraud_detections, type: relationships, column: transaction_id, to: { table: transactions, column: transaction_id } }
  - { name: bad_fk, table: transactions, type: relationships, column: account_id, to: { table: fraud_detections, column: account_id } }
  - { name: ok_sql, type: sql, sql: "SELECT * FROM transactions WHERE amount < 0" }
  - { name: bad_sql, type: sql, table: transactions, sql: "SELECT id FROM transactions WHERE status = 'declined'" }
  - { name: broken, table: transactions, type: not_null, columns: [no_such_column] }
  - { name: volume, table: transactions, type: volume_change, max_change_percent: 50 }
`;

describe('analytics check', () => {
  let dir: string;
  let workspace: Workspace;
  let cleanup: () => Promise<void>;
  let run: CheckRun;
  const byName = (name: string) => run.results.find((result) => result.name === name)!;

  beforeAll(async () => {
    ({ dir, workspace, cleanup } = await tempWorkspace());
    await writeFile(path.join(dir, 'pipelines.yaml'), CHECKS);
    const file = await writeTransactions(path.join(dir, 'tx.ndjson'), 600);
    await ingestFiles(workspace, { paths: [file], cwd: dir });
    run = await runChecks(workspace);
  });
  afterAll(() => cleanup());

  it.each(['ok_unique', 'ok_not_null', 'ok_values', 'ok_range', 'ok_rows', 'ok_fresh', 'ok_fk', 'ok_sql', 'volume'])('%s passes', (name) => {
    expect(byName(name)).toMatchObject({ status: 'pass', failingRows: 0 });
  });

  it('reports failing rows, with a capped sample, for each failing check type', () => {
    expect(byName('bad_unique')).toMatchObject({ status: 'fail', failingRows: 100 }); // 600 rows over 500 accounts
    expect(byName('bad_unique').sample[0]).toMatchObject({ occurrences: 2 });
    expect(byName('bad_not_null')).toMatchObject({ status: 'fail', failingRows: 600 });
    expect(byName('bad_values').failingRows).toBe(47); // index % 13 === 0 is declined: 47 of 600
    expect(byName('bad_range')).toMatchObject({ status: 'fail', failingRows: 499 }); // amounts 1.01 … 5.99
    expect(byName('bad_rows')).toMatchObject({ status: 'fail', failingRows: 1, sample: [{ row_count: 600, min_allowed: 5000, max_allowed: null }] });
    expect(byName('bad_fresh')).toMatchObject({ status: 'fail', severity: 'warn' });
    expect(byName('bad_fk')).toMatchObject({ status: 'fail', failingRows: 600 });
    expect(byName('bad_sql').failingRows).toBe(47);
    expect(byName('bad_unique').sample.length).toBeLessThanOrEqual(10);
  });

  it('a check that cannot run is an error result, and the others still ran', () => {
    expect(byName('broken')).toMatchObject({ status: 'error' });
    expect(byName('broken').message).toContain('no_such_column');
    expect(run.results).toHaveLength(18);
  });

  it('fails the build on error-severity failures only, counting warnings apart', () => {
    expect(run.failedBuild).toBe(true);
    expect(run.warned).toBe(1);
    expect(run.errored).toBe(1);
    expect(run.failed).toBe(7);
  });

  it('volume_change compares with the previous run', async () => {
    const more: string[] = [];
    for (let index = 600; index < 1200; index++) more.push(JSON.stringify(transactionEvent(index)));
    await writeFile(path.join(dir, 'more.ndjson'), `${more.join('\n')}\n`);
    await ingestFiles(workspace, { paths: [path.join(dir, 'more.ndjson')], cwd: dir });
    const second = await runChecks(workspace, { select: ['volume'] });
    expect(second.results[0]).toMatchObject({ status: 'fail', sample: [{ row_count: 1200, previous_row_count: 600, change_percent: 100 }] });
  });

  it('writes JUnit XML that parses back with one testcase per check', () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(checksToJunit(run));
    const suite = xml.testsuites.testsuite;
    expect(Number(suite.tests)).toBe(18);
    expect(Number(suite.failures)).toBe(7);
    expect(Number(suite.errors)).toBe(1);
    const cases = suite.testcase as { name: string; failure?: { type: string }; error?: unknown }[];
    expect(cases.find((testcase) => testcase.name === 'bad_rows')?.failure?.type).toBe('row_count');
    expect(cases.find((testcase) => testcase.name === 'broken')?.error).toBeDefined();
    expect(cases.find((testcase) => testcase.name === 'ok_unique')?.failure).toBeUndefined();
  });
});
