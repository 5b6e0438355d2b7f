#!/usr/bin/env node
/**
 * Which sort order within fact_transactions' day files serves the common queries best? Writes
 * the fact table of a workspace (argument: a workspace after `etl run`) once per candidate order,
 * partitioned by event_date like the load, and times the common queries on each (median of 5,
 * fresh engine). Results are in docs/data-model.md.
 */
import path from 'node:path';
import { mkdirSync, rmSync } from 'node:fs';
import { Engine } from '../dist/duckdb/engine.js';
import { literal } from '../dist/duckdb/sql.js';
import { openLakeReader } from '../dist/analytics/query.js';
import { openWorkspace } from '../dist/workspace/workspace.js';

const workspace = await openWorkspace({ workspace: process.argv[2] });
const { engine: reader } = await openLakeReader(workspace);
const [{ account, day, country }] = await reader.rows(`SELECT (SELECT account_id FROM fact_transactions GROUP BY 1 ORDER BY count(*) DESC LIMIT 1) AS account,
  (SELECT max(event_date)::VARCHAR FROM fact_transactions) AS day, 'DE' AS country`);
const orders = { none: null, 'event_date, occurred_at': 'occurred_at', account_id: 'account_id', 'country_code, occurred_at': 'country_code, occurred_at', 'merchant_id': 'merchant_id' };
const queries = {
  'one account, all days': `SELECT count(*), sum(amount) FROM t WHERE account_id = ${literal(account)}`,
  'one hour of one day': `SELECT status, count(*) FROM t WHERE occurred_at >= TIMESTAMPTZ '${day} 12:00:00+00' AND occurred_at < TIMESTAMPTZ '${day} 13:00:00+00' GROUP BY ALL`,
  'one day by country': `SELECT country_code, count(*), sum(amount_reporting) FROM t WHERE event_date = DATE '${day}' GROUP BY ALL`,
  'one country by day': `SELECT event_date, count(*) FROM t WHERE country_code = ${literal(country)} GROUP BY ALL`,
  'whole table by channel, status': `SELECT channel, status, count(*) FROM t GROUP BY ALL`,
};
const out = path.join(process.argv[2], 'sort-order');
const results = {};
mkdirSync(out, { recursive: true });
for (const [name, order] of Object.entries(orders)) {
  const dir = path.join(out, name.replace(/\W+/g, '_'));
  rmSync(dir, { recursive: true, force: true });
  await reader.run(`COPY (SELECT * FROM fact_transactions ${order ? `ORDER BY ${order}` : 'ORDER BY random()'}) TO ${literal(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (event_date), WRITE_PARTITION_COLUMNS true)`);
  results[name] = {};
  for (const [label, sql] of Object.entries(queries)) {
    const times = [];
    for (let run = 0; run < 5; run++) {
      const engine = await Engine.open({ memoryLimit: '512MB' });
      await engine.run(`CREATE VIEW t AS SELECT * FROM read_parquet(${literal(`${dir}/**/*.parquet`)}, hive_partitioning = false)`);
      const started = performance.now();
      await engine.rows(sql);
      times.push(performance.now() - started);
      engine.close();
    }
    times.sort((a, b) => a - b);
    results[name][label] = Math.round(times[2]);
  }
  console.error(name, results[name]);
}
reader.close();
rmSync(out, { recursive: true, force: true });
console.log(JSON.stringify(results));
