import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventTypeRegistry } from '../../../src/contract/registry.js';
import { Engine } from '../../../src/duckdb/engine.js';
import { LakeLayout } from '../../../src/lake/layout.js';
import { createLakeViews, snapshotTables } from '../../../src/lake/reader.js';
import { readLatestSnapshot, type DerivedTable } from '../../../src/lake/snapshot.js';
import { replaceFiles } from '../../../src/lake/upkeep/replace-files.js';

const DIM_COUNTRY: DerivedTable = {
  name: 'dim_country',
  kind: 'warehouse',
  owner: 'warehouse.dim_country',
  columns: [
    { name: 'country', sqlType: 'VARCHAR', description: 'ISO code.' },
    { name: 'population', sqlType: 'BIGINT', description: 'People.' },
  ],
};

describe('derived tables in the lake', () => {
  let root: string;
  let layout: LakeLayout;
  let engine: Engine;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'lake-derived-'));
    layout = new LakeLayout(root);
    engine = await Engine.open({ threads: 1 });
  });
  afterEach(async () => {
    engine.close();
    await rm(root, { recursive: true, force: true });
  });

  async function writeFile(name: string, values: string): Promise<string> {
    const file = path.join(layout.tableDir('dim_country'), name);
    await mkdir(path.dirname(file), { recursive: true });
    await engine.run(`COPY (SELECT * FROM (VALUES ${values}) t(country, population)) TO '${file}' (FORMAT parquet)`);
    return layout.relative(file);
  }

  it('commits a table definition with its files and serves it as a view', async () => {
    // Given a derived table committed with one file
    const first = await writeFile('a.parquet', "('DE', 83), ('FR', 68)");
    const committed = await replaceFiles(layout, {
      operation: 'etl', remove: [], add: [{ table: 'dim_country', path: first, rows: 2, bytes: 1, partition: {} }], details: {}, define: [DIM_COUNTRY],
      sources: (sources) => ({ ...sources, etl: { watermark: 'w1' } }),
    });
    expect(committed.tables?.dim_country).toEqual(DIM_COUNTRY);
    expect(committed.sources).toEqual({ etl: { watermark: 'w1' } });

    // Then readers see it next to the event tables
    const registry = EventTypeRegistry.create();
    const names = snapshotTables(committed, registry).map((table) => table.name);
    expect(names.at(-1)).toBe('dim_country');
    expect(names).toContain('transactions');
    await createLakeViews(engine, root, registry);
    expect(await engine.rows('SELECT country, population::INTEGER AS population FROM dim_country ORDER BY country')).toEqual([
      { country: 'DE', population: 83 },
      { country: 'FR', population: 68 },
    ]);

    // When the table is replaced, the old file leaves and the definition stays
    const second = await writeFile('b.parquet', "('IT', 59)");
    const replaced = await replaceFiles(layout, { operation: 'etl', remove: [first], add: [{ table: 'dim_country', path: second, rows: 1, bytes: 1, partition: {} }], details: {} });
    expect(replaced.tables?.dim_country).toEqual(DIM_COUNTRY);
    expect(replaced.files.map((file) => file.path)).toEqual([second]);
    expect((await readLatestSnapshot(layout)).version).toBe(2);
  });

  it('refuses a change whose removed files are no longer live, and commits nothing', async () => {
    await expect(replaceFiles(layout, { operation: 'etl', remove: ['dim_country/gone.parquet'], add: [], details: {}, define: [DIM_COUNTRY] }))
      .rejects.toMatchObject({ code: 'LAKE_BUSY' });
    expect((await readLatestSnapshot(layout)).version).toBe(0);
  });
});
