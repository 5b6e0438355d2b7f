/**
 * Bad input: each case gives one clear message naming the pipeline and step (with file:line for
 * configuration problems), a run that fails is recorded as failed, and tables stay unchanged.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/analytics/query.js';
import { ConfigError } from '../../src/config/problems.js';
import { readRunRecords } from '../../src/etl/history.js';
import { runEtl } from '../../src/etl/run.js';
import { validatePipelines } from '../../src/etl/validate.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { readLatestSnapshot } from '../../src/lake/snapshot.js';
import { ingestFiles } from '../../src/pipelines/ingest/file-ingest.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { writeTransactions } from '../support/sample-events.js';
import { tempWorkspace } from '../support/workspace.js';

let dir: string;
let workspace: Workspace;
let cleanup: () => Promise<void>;
const pipelines = (yaml: string) => writeFile(path.join(dir, 'pipelines.yaml'), `version: 1\npipelines:\n${yaml}\n`);
const problemsOf = async (): Promise<string> => {
  try {
    await validatePipelines(workspace);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('validation passed');
};
const version = async () => (await readLatestSnapshot(new LakeLayout(workspace.lakeRoot))).version;

beforeAll(async () => {
  ({ dir, workspace, cleanup } = await tempWorkspace('analytics-etl-bad-'));
  await writeTransactions(path.join(dir, 'tx.ndjson'), 200, { day: '2026-11-24' });
  await ingestFiles(workspace, { paths: [path.join(dir, 'tx.ndjson')], cwd: dir });
  await mkdir(path.join(dir, 'data'), { recursive: true });
});
afterAll(() => cleanup());

describe('etl validate', () => {
  it('a cycle names the pipeline, the steps in order and the line', async () => {
    await pipelines(`  - name: loop
    steps:
      - name: a
        sql: SELECT * FROM b
      - name: b
        sql: SELECT * FROM a`);
    const message = await problemsOf();
    expect(message).toMatch(/pipelines\.yaml:5:9 +pipelines\[0\]\.steps\[0\]: pipeline loop: the steps form a cycle: a → b → a/);
  });

  it('a missing step or table names pipeline and step, with a suggestion', async () => {
    await pipelines(`  - name: shop
    steps:
      - name: orders
        sql: SELECT * FROM transactons
      - name: totals
        depends_on: [nope]
        sql: SELECT count(*) FROM orders`);
    const message = await problemsOf();
    expect(message).toMatch(/pipelines\.yaml:\d+:\d+ +pipelines\[0\]\.steps\[0\]\.sql: pipeline shop, step orders: reads "transactons", which is no step of the pipeline, lake table or warehouse table \(did you mean transactions\?\)/);
    expect(message).toMatch(/pipeline shop, step totals: depends on step "nope", which the pipeline does not have/);
  });

  it('SQL that does not parse points at the line of the error inside the SQL', async () => {
    await pipelines(`  - name: shop
    steps:
      - name: orders
        sql: |
          SELECT id,
          FROM transactions WHERE
          GROUP BY 1`);
    const message = await problemsOf();
    expect(message).toMatch(/pipelines\.yaml:9:1 +pipelines\[0\]\.steps\[0\]\.sql: pipeline shop, step orders: the SQL does not parse: syntax error/);
  });

  it('an unknown parameter, a non-SELECT step and a pipeline cycle are reported together', async () => {
    await pipelines(`  - name: one
    depends_on: [two]
    steps:
      - { name: a, sql: "SELECT * FROM transactions WHERE event_date = {{ day }}" }
      - { name: b, sql: "DELETE FROM transactions" }
  - name: two
    depends_on: [one]
    steps:
      - { name: c, sql: "SELECT 1 AS x" }`);
    const message = await problemsOf();
    expect(message).toContain('pipeline one, step a: unknown parameter {{ day }}');
    expect(message).toContain('pipeline one, step b: the SQL does not parse: only a SELECT');
    expect(message).toMatch(/the pipelines depend on each other in a cycle: (one → two → one|two → one → two)/);
  });

  it('schema problems come with file:line:column (a merge without key)', async () => {
    await pipelines(`  - name: shop
    steps:
      - { name: a, sql: "SELECT 1 AS x", load: { table: wh_a, mode: merge } }`);
    const message = await problemsOf();
    expect(message).toMatch(/pipelines\.yaml:5:\d+ +pipelines\[0\]\.steps\[0\]\.load\.key: mode merge needs `key`/);
  });

  it('a valid file gives the plan with levels', async () => {
    await pipelines(`  - name: shop
    steps:
      - { name: base, sql: "SELECT account_id, amount FROM transactions" }
      - { name: by_account, sql: "SELECT account_id, sum(amount) AS amount FROM base GROUP BY 1", load: { table: wh_by_account } }
      - { name: biggest, sql: "SELECT max(amount) AS amount FROM base", load: { table: wh_biggest } }`);
    const plan = await validatePipelines(workspace);
    expect(plan.pipelines[0]!.steps.map((step) => [step.name, step.level, step.upstream])).toEqual([['base', 0, []], ['by_account', 1, ['base']], ['biggest', 1, ['base']]]);
  });
});

describe('etl run failures leave tables unchanged and the run marked failed', () => {
  const setUp = async () => {
    await writeFile(path.join(dir, 'data', 'people.csv'), 'id,name\n1,a\n2,b\n');
    await pipelines(`  - name: people
    steps:
      - { name: raw_people, files: data/people.csv }
      - name: wh_people
        sql: SELECT * FROM raw_people
        load: { table: wh_people, mode: replace }
        checks:
          - { type: unique, columns: [id] }
          - { type: row_count, max: 2 }
      - { name: people_count, sql: "SELECT count(*) AS n FROM wh_people", load: { table: wh_people_count } }
      - { name: by_tx, sql: "SELECT count(*) AS n FROM transactions", load: { table: wh_tx_count } }`);
    const ok = await runEtl(workspace, { pipelines: ['people'] });
    expect(ok.status).toBe('succeeded');
    return version();
  };

  it('a file that vanished: the message names pipeline and step', async () => {
    const before = await setUp();
    await rm(path.join(dir, 'data', 'people.csv'));
    const result = await runEtl(workspace, { pipelines: ['people'] });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/^pipeline people, step raw_people: no file matches data\/people\.csv/);
    expect(await version()).toBe(before);
    const [record] = await readRunRecords(workspace, { pipeline: 'people' });
    expect(record).toMatchObject({ status: 'failed', error: { step: 'raw_people' } });
    expect(record!.partitions[0]!.steps.find((step) => step.name === 'wh_people')).toMatchObject({ status: 'skipped' });
  });

  it('a failing check stops the steps downstream; independent steps still run; nothing is committed', async () => {
    const before = await setUp();
    await writeFile(path.join(dir, 'data', 'people.csv'), 'id,name\n1,a\n2,b\n2,c\n');
    const result = await runEtl(workspace, { pipelines: ['people'] });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/pipeline people, step wh_people: check wh_people_unique_id \(1 failing row\), wh_people_row_count \(1 failing row\) failed/);
    const steps = result.runs[0]!.partitions[0]!.steps;
    expect(steps.find((step) => step.name === 'people_count')).toMatchObject({ status: 'skipped' });
    expect(steps.find((step) => step.name === 'by_tx')).toMatchObject({ status: 'succeeded' });
    expect(await version()).toBe(before);
    expect((await runQuery(workspace, 'SELECT count(*) AS n FROM wh_people')).rows).toEqual([{ n: 2 }]);
  });

  it('a SQL error at run time names pipeline and step', async () => {
    await pipelines(`  - name: broken
    steps:
      - { name: bad_column, sql: "SELECT no_such_column FROM transactions", load: { table: wh_broken } }`);
    const before = await version();
    const result = await runEtl(workspace, {});
    expect(result.error?.message).toMatch(/^pipeline broken, step bad_column: .*no_such_column/);
    expect(await version()).toBe(before);
  });

  it('unknown pipelines and steps are refused before anything runs', async () => {
    await expect(runEtl(workspace, { pipelines: ['nope'] })).rejects.toThrow(/No pipeline named nope/);
    await expect(runEtl(workspace, { select: ['nope+'] })).rejects.toThrow(/No step named nope\+/);
  });
});
