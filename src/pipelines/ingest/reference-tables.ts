/** Loads the enrichment reference tables into an engine: countries, merchant categories, rates. */
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
  try {
    await engine.run(`CREATE OR REPLACE TEMP TABLE _ref_rates AS
      SELECT upper(trim(currency)) AS currency, CAST(usd_per_unit AS DOUBLE) AS usd_per_unit
      FROM read_csv(${literal(ratesFile)}, header = true, columns = {'currency': 'VARCHAR', 'usd_per_unit': 'VARCHAR'})`);
  } catch (error) {
    throw new UserError('CONFIG_INVALID', `The rates table ${ratesFile} cannot be read: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'It must be a CSV with the header currency,usd_per_unit and one row per currency, e.g. EUR,1.08.',
    });
  }
}
