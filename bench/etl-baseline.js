#!/usr/bin/env node
/**
 * The baseline of the ETL benchmark: the default pipelines' step SQL executed directly by DuckDB
 * in one script, in plan order. Lake views (the read side), then per step one COPY of its SELECT
 * to Parquet (partitioned and sorted like the load) and a view over the result for later steps.
 * No staging, checks, merge or history logic, commit, or run record: what is left is DuckDB's work.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../dist/duckdb/engine.js';
import { ident, literal } from '../dist/duckdb/sql.js';
import { planWorkspace } from '../dist/etl/run.js';
import { substituteParameters } from '../dist/etl/template.js';
import { openWorkspace } from '../dist/workspace/workspace.js';

const dir = process.argv[2];
const workspace = await openWorkspace({ workspace: dir });
const engine = await Engine.open({ memoryLimit: workspace.config.engine.memory_limit });
const { plan } = await planWorkspace(workspace, engine);
const out = path.join(dir, 'baseline-out');
mkdirSync(out, { recursive: true });
const params = { run_date: new Date().toISOString().slice(0, 10), from: '1970-01-01', to: '9999-12-31', run_id: 'baseline', watermark: null };
for (const pipeline of plan.pipelines) {
  for (const step of pipeline.steps) {
    const sql = substituteParameters(step.definition.sql, params);
    const load = step.definition.load;
    const target = path.join(out, step.name);
    const ordered = load?.sort_by ? `SELECT * FROM (${sql}) ORDER BY ${load.sort_by.map(ident).join(', ')}` : sql;
    if (load?.partition_by) {
      await engine.run(`COPY (${ordered}) TO ${literal(target)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${ident(load.partition_by)}), WRITE_PARTITION_COLUMNS true)`);
      await engine.run(`CREATE OR REPLACE VIEW ${ident(load.table)} AS SELECT * FROM read_parquet(${literal(`${target}/**/*.parquet`)})`);
    } else {
      await engine.run(`COPY (${ordered}) TO ${literal(`${target}.parquet`)} (FORMAT parquet, COMPRESSION zstd)`);
      await engine.run(`CREATE OR REPLACE VIEW ${ident(load?.table ?? step.name)} AS SELECT * FROM read_parquet(${literal(`${target}.parquet`)})`);
    }
  }
}
engine.close();
