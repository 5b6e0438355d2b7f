/**
 * Loads the enrichment reference tables into an engine: countries, merchant categories, rates.
 *
 * Enrichment reads them through lookups, not joins (`referenceLookup`): each code list is also an
 * ENUM type and each table a list variable in code order, so a value's row is one hash lookup
 * (the ENUM cast) and a list index. Joins would let the planner make the batch, whose size it
 * cannot estimate, the build side of the hash join (a hash table of every wide row), and a join
 * does not keep the input's order, which the fast path relies on (direct-write.ts).
 */
import { existsSync } from 'node:fs';
import { COUNTRIES } from '../../reference/countries.js';
import { MERCHANT_CATEGORIES } from '../../reference/merchant-categories.js';
import type { Engine } from '../../duckdb/engine.js';
import { literal } from '../../duckdb/sql.js';
import { UserError } from '../../errors.js';

export async function loadReferenceTables(engine: Engine, ratesFile: string): Promise<void> {
  const countries = COUNTRIES.map((c) => `(${literal(c.code)}, ${literal(c.name)}, ${literal(c.region)}, ${c.lat}, ${c.lon})`);
  await engine.run(`CREATE OR REPLACE TEMP TABLE _ref_countries (code VARCHAR, name VARCHAR, region VARCHAR, lat DOUBLE, lon DOUBLE);
    INSERT INTO _ref_countries VALUES ${countries.join(', ')};`);
  const categories = MERCHANT_CATEGORIES.map((m) => `(${literal(m.code)}, ${literal(m.name)}, ${literal(m.group)})`);
  await engine.run(`CREATE OR REPLACE TEMP TABLE _ref_merchant_categories (code VARCHAR, name VARCHAR, category_group VARCHAR);
    INSERT INTO _ref_merchant_categories VALUES ${categories.join(', ')};`);
  if (!existsSync(ratesFile)) {
    throw new UserError('CONFIG_INVALID', `The rates table ${ratesFile} does not exist.`, {
      hint: 'Create it with columns currency,usd_per_unit (analytics init writes one), or point reference.rates in analytics.yaml at yours.',
    });
  }
  const hint = 'It must be a CSV with the header currency,usd_per_unit and one row per currency, e.g. EUR,1.08.';
  try {
    await engine.run(`CREATE OR REPLACE TEMP TABLE _ref_rates AS
      SELECT upper(trim(currency)) AS currency, CAST(usd_per_unit AS DOUBLE) AS usd_per_unit
      FROM read_csv(${literal(ratesFile)}, header = true, columns = {'currency': 'VARCHAR', 'usd_per_unit': 'VARCHAR'})
      WHERE currency IS NOT NULL`);
  } catch (error) {
    throw new UserError('CONFIG_INVALID', `The rates table ${ratesFile} cannot be read: ${(error as Error).message.split('\n')[0]}`, { hint });
  }
  const [twice] = await engine.rows<{ currency: string }>(`SELECT currency FROM _ref_rates GROUP BY currency HAVING count(*) > 1 ORDER BY currency LIMIT 1`);
  if (twice) throw new UserError('CONFIG_INVALID', `The rates table ${ratesFile} lists ${twice.currency} more than once.`, { hint });
  for (const lookup of Object.values(LOOKUPS)) {
    const texts: readonly string[] = lookup.texts;
    const textType = (column: string) => `${lookup.type}_${column}`;
    // Text columns as ENUMs of their own values: DuckDB writes an ENUM's Parquet dictionary from
    // the type, without hashing every value into one (the file is the same: UTF8 text, dictionary
    // encoded, read back as VARCHAR). The lake's few-valued texts cost a third less to write so.
    for (const column of texts) {
      await engine.run(`DROP TYPE IF EXISTS ${textType(column)};
        CREATE TYPE ${textType(column)} AS ENUM (SELECT DISTINCT ${column} FROM ${lookup.table} WHERE ${column} IS NOT NULL ORDER BY ${column})`);
    }
    const value = (column: string) => (texts.includes(column) ? `CAST(${column} AS ${textType(column)})` : column);
    await engine.run(`DROP TYPE IF EXISTS ${lookup.type};
      CREATE TYPE ${lookup.type} AS ENUM (SELECT ${lookup.key} FROM ${lookup.table} ORDER BY ${lookup.key});
      SET VARIABLE ${lookup.variable} = (SELECT list({${lookup.columns.map((column) => `${column}: ${value(column)}`).join(', ')}} ORDER BY ${lookup.key}) FROM ${lookup.table});`);
  }
}

const LOOKUPS = {
  country: { table: '_ref_countries', key: 'code', type: '_ref_country_code', variable: '_ref_country_rows', columns: ['name', 'region', 'lat', 'lon'], texts: ['name', 'region'] },
  merchantCategory: { table: '_ref_merchant_categories', key: 'code', type: '_ref_merchant_category_code', variable: '_ref_merchant_category_rows', columns: ['name', 'category_group'], texts: ['name', 'category_group'] },
  rate: { table: '_ref_rates', key: 'currency', type: '_ref_currency_code', variable: '_ref_rate_rows', columns: ['usd_per_unit'], texts: [] },
} as const;

/**
 * SQL for one reference column of the row whose code is `key` (a SQL expression), NULL when the
 * code is NULL or not in the table: what a LEFT JOIN gives, without a join.
 */
export function referenceLookup(reference: keyof typeof LOOKUPS, key: string, column: string): string {
  return `${referenceRow(reference, key)}.${column}`;
}

/**
 * SQL for the whole row (a struct of the reference's columns) whose code is `key`, NULL when the
 * code is NULL or not in the table. Looked up once, it serves several columns: a country's name,
 * region, latitude and longitude cost one lookup instead of four.
 */
export function referenceRow(reference: keyof typeof LOOKUPS, key: string): string {
  const lookup = LOOKUPS[reference];
  return `getvariable('${lookup.variable}')[enum_code(TRY_CAST(${key} AS ${lookup.type})) + 1]`;
}
