/**
 * `analytics query` run as a process: output formats a script can rely on, DuckDB's own error
 * messages, and the promise that a query cannot change the lake or anything else on disk.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, STACK_TRACE } from '../support/assertions.js';
import { lakeCounts, makeWorkspace, messageLines, queryRows, removeTempDirs, runCli, type LakeCounts } from '../support/cli.js';
import { mixedEvents, toNdjson } from '../support/events.js';

const TABLES = ['transactions', 'fraud_detections', 'security_alerts', 'notifications', 'dead_letters'];

interface DescribedColumn {
  column_name: string;
  column_type: string;
}

/** Every file under a folder with its size: a fingerprint of the lake on disk. */
async function listFiles(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = (await fs.stat(file)).size;
  }
  return out;
}

afterAll(removeTempDirs);

describe('query: the tables of an empty lake', () => {
  let workspace: string;

  beforeAll(async () => {
    workspace = await makeWorkspace();
  });

  it.each(TABLES)('%s exists and DESCRIBE works', async (table) => {
    const columns = await queryRows<DescribedColumn>(workspace, `DESCRIBE ${table}`);

    expect(columns.length).toBeGreaterThan(3);
    if (table !== 'dead_letters') {
      expect(columns.slice(0, 4).map((column) => [column.column_name, column.column_type])).toEqual([
        ['id', 'VARCHAR'], ['type', 'VARCHAR'], ['version', 'BIGINT'], ['occurred_at', 'TIMESTAMP WITH TIME ZONE'],
      ]);
    } else {
      const types = Object.fromEntries(columns.map((column) => [column.column_name, column.column_type]));
      expect(types).toMatchObject({ raw: 'VARCHAR', origin: 'VARCHAR', reasons: 'VARCHAR[]' });
    }
  });

  it('every table is empty', async () => {
    expect(await lakeCounts(workspace)).toEqual({ transactions: 0, fraud_detections: 0, security_alerts: 0, notifications: 0, dead_letters: 0 });
  });
});

describe('query: output formats', () => {
  let workspace: string;
  const sql = "SELECT id, type, amount FROM transactions WHERE id LIKE 'q-%' ORDER BY id";
  const expected = [{ id: 'q-0', type: 'transaction', amount: 10.5 }, { id: 'q-4', type: 'transaction', amount: 14.5 }];

  beforeAll(async () => {
    workspace = await makeWorkspace();
    await fs.writeFile(path.join(workspace, 'events.ndjson'), `${toNdjson(mixedEvents('q', 8))}{"broken\n`);
    const ingest = await runCli(['ingest', 'file', 'events.ndjson', '--max-errors', '-1'], { cwd: workspace });
    expect(ingest.exitCode, ingest.stderr).toBe(0);
  });

  it('--format json prints one JSON array of row objects and nothing else on stdout', async () => {
    const result = await runCli(['query', sql, '--format', 'json'], { cwd: workspace });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(expected);
    expect(messageLines(result.stderr)).toEqual([]);
  });

  it('--format json prints [] for no rows', async () => {
    const result = await runCli(['query', 'SELECT * FROM transactions WHERE false', '--format', 'json'], { cwd: workspace });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });

  it('--format ndjson prints one JSON object per line', async () => {
    const result = await runCli(['query', sql, '--format', 'ndjson'], { cwd: workspace });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.endsWith('\n')).toBe(true);
    expect(result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual(expected);
  });

  it('--format csv prints a header and quotes what needs quoting', async () => {
    const result = await runCli(['query', `SELECT id, amount, 'a,"b"' AS note FROM transactions WHERE id LIKE 'q-%' ORDER BY id`, '--format', 'csv'], { cwd: workspace });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('id,amount,note\nq-0,10.5,"a,""b"""\nq-4,14.5,"a,""b"""\n');
  });

  it('--format table (the default) draws a table on stdout and the row count on stderr', async () => {
    const result = await runCli(['query', sql], { cwd: workspace });

    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.find((line) => line.includes('id') && line.includes('amount'))).toBeDefined();
    expect(lines.find((line) => line.includes('q-4') && line.includes('14.5'))).toBeDefined();
    expect(result.stdout).not.toContain('\u001b['); // no colour when not a terminal
    expect(result.stderr).toMatch(/^2 rows · /m);
  });

  it('--file reads the SQL from a file', async () => {
    await fs.writeFile(path.join(workspace, 'query.sql'), `-- the two transactions\n${sql};\n`);

    const result = await runCli(['query', '--file', 'query.sql', '--format', 'json'], { cwd: workspace });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(expected);
  });

  it('--file that does not exist is a user error', async () => {
    const result = await runCli(['query', '--file', 'nope.sql'], { cwd: workspace });

    expectUserError(result, /nope\.sql/);
  });

  it('--out x.parquet --format parquet writes a file a second query reads back', async () => {
    const out = path.join(workspace, 'out', 'x.parquet');
    await fs.mkdir(path.dirname(out));

    const result = await runCli(['query', 'SELECT * FROM notifications', '--format', 'parquet', '--out', out], { cwd: workspace });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(true);
    expect(await queryRows(workspace, `SELECT count(*) AS n, min(id) AS first FROM '${out}'`)).toEqual([{ n: 2, first: 'q-3' }]);
  });

  it('--format parquet without --out is a user error', async () => {
    const result = await runCli(['query', 'SELECT 1', '--format', 'parquet'], { cwd: workspace });

    expectUserError(result, /Parquet output needs a file/);
  });

  it('a syntax error shows DuckDB\'s message with the position, exit 1, no stack trace', async () => {
    const result = await runCli(['query', 'SELECT id\nFROM transactions\nWHER id = 1'], { cwd: workspace });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(result.stderr).toMatch(/^Error: .*Parser Error: syntax error at or near "id"/m);
    expect(result.stderr).toMatch(/^LINE 3: WHER id = 1\n\s+\^$/m);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('Error: '))).toHaveLength(1);
    expect(result.stderr).toMatch(/^Hint: .*DESCRIBE/m);
  });

  it('an unknown column shows DuckDB\'s message with the position, exit 1, no stack trace', async () => {
    const result = await runCli(['query', 'SELECT nope FROM transactions'], { cwd: workspace });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(result.stderr).toMatch(/^Error: Binder Error: Referenced column "nope" not found/m);
    expect(result.stderr).toMatch(/^LINE 1: SELECT nope FROM transactions\n {15}\^$/m);
  });

  it('read statements other than SELECT run: EXPLAIN, DESCRIBE, SHOW TABLES, SUMMARIZE, PRAGMA', async () => {
    for (const read of ['EXPLAIN SELECT count(*) FROM transactions', 'SHOW TABLES', 'SUMMARIZE transactions', 'PRAGMA version', 'WITH t AS (SELECT 1 AS x) SELECT x FROM t']) {
      const result = await runCli(['query', read, '--format', 'json'], { cwd: workspace });
      expect(result.exitCode, `${read}\n${result.stderr}`).toBe(0);
      expect(Array.isArray(JSON.parse(result.stdout)), read).toBe(true);
    }
  });
});

describe('query: statements that would write are refused', () => {
  let workspace: string;
  let counts: LakeCounts;
  let lakeFiles: Record<string, number>;

  beforeAll(async () => {
    workspace = await makeWorkspace();
    await fs.writeFile(path.join(workspace, 'events.ndjson'), toNdjson(mixedEvents('w', 4)));
    const ingest = await runCli(['ingest', 'file', 'events.ndjson'], { cwd: workspace });
    expect(ingest.exitCode, ingest.stderr).toBe(0);
    counts = await lakeCounts(workspace);
    lakeFiles = await listFiles(path.join(workspace, 'lake'));
  });

  const writes: { sql: string; creates?: string }[] = [
    { sql: 'CREATE TABLE t AS SELECT 1 AS x' },
    { sql: "COPY transactions TO 'copied.csv'", creates: 'copied.csv' },
    { sql: "COPY (SELECT * FROM transactions) TO 'lake/transactions/extra.parquet' (FORMAT parquet)", creates: 'lake/transactions/extra.parquet' },
    { sql: 'INSERT INTO transactions SELECT * FROM transactions' },
    { sql: 'DROP VIEW transactions' },
    { sql: "ATTACH 'attached.duckdb' AS other", creates: 'attached.duckdb' },
    { sql: "EXPORT DATABASE 'exported'", creates: 'exported' },
    { sql: "EXPLAIN ANALYZE COPY (SELECT 1) TO 'explained.csv'", creates: 'explained.csv' },
    { sql: 'SELECT 1; DROP VIEW transactions' },
    { sql: "SET temp_directory = 'elsewhere'" },
  ];

  it.each(writes)('$sql', async ({ sql, creates }) => {
    const result = await runCli(['query', sql], { cwd: workspace });

    expectUserError(result, /read-only/);
    expect(result.stdout).toBe('');
    if (creates) expect(existsSync(path.join(workspace, creates)), creates).toBe(false);
  });

  it('left the lake as it was', async () => {
    expect(await listFiles(path.join(workspace, 'lake'))).toEqual(lakeFiles);
    expect(await lakeCounts(workspace)).toEqual(counts);
  });
});
