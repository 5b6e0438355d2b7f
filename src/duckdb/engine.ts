/**
 * The one door to DuckDB (`@duckdb/node-api`). Every process opens its own in-memory engine:
 * the lake is Parquet files, never a DuckDB database file, so any number of processes read and
 * write one workspace without fighting over a single-writer database (docs/architecture.md).
 */
import os from 'node:os';
import {
  DuckDBInstance,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';
import { readEnv } from '../env.js';

export interface EngineOptions {
  /** Worker threads; default: ANALYTICS_DUCKDB_THREADS, else `defaultThreads`, else the number of CPUs. */
  threads?: number;
  /** Threads when neither `threads` nor ANALYTICS_DUCKDB_THREADS says (a caller that runs several statements at once). */
  defaultThreads?: number;
  /** Memory limit such as '512MB'; DuckDB spills to tempDirectory beyond it. */
  memoryLimit?: string;
  /** Where DuckDB spills; should be on the workspace's disk. */
  tempDirectory?: string;
}

/** A JSON-friendly row: numbers for integers and decimals, ISO 8601 UTC strings for times. */
export type Row = Record<string, Json>;

export interface ColumnInfo {
  name: string;
  type: string;
}

/**
 * The instance-wide memory limit while statements ask for more than the configured one: the
 * largest floor asked for by any of the instance's connections, back to the configured limit
 * when the last one is done. One per instance, shared by its sessions.
 */
class MemoryFloors {
  private readonly active: number[] = [];
  private applied: number | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly configured: string | undefined) {}

  async raise(connection: DuckDBConnection, bytes: number): Promise<() => Promise<void>> {
    this.active.push(bytes);
    await this.apply(connection);
    return async () => {
      this.active.splice(this.active.indexOf(bytes), 1);
      await this.apply(connection);
    };
  }

  /** Sets the limit the active floors want; one SET at a time, so they land in order. */
  private apply(connection: DuckDBConnection): Promise<void> {
    this.queue = this.queue.catch(() => undefined).then(async () => {
      const wanted = this.active.length > 0 ? Math.max(...this.active) : undefined;
      if (wanted === this.applied) return;
      const limit = wanted === undefined ? this.configured!.replaceAll("'", "''") : `${Math.ceil(wanted / 1024 ** 2)}MiB`;
      await connection.run(`SET memory_limit = '${limit}'`);
      this.applied = wanted;
    });
    return this.queue;
  }
}

/**
 * DuckDB returns memory to the system after a task whose allocations peaked above this (its
 * default: 128MB). With the default, what a step had freed stayed in the process: a million
 * transactions with 15% bad records peaked at 1,092–1,144 MiB (the dead letters' sort on top of
 * the validation's leftovers), 894 MiB with 16MB, at the same speed (clean files too).
 */
const ALLOCATOR_FLUSH_THRESHOLD = '16MB';

export class Engine {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    /** The memory limit the engine was opened with, such as `512MB`; undefined: DuckDB's default (80% of RAM). */
    readonly memoryLimit: string | undefined,
    private readonly floors: MemoryFloors,
    /** False for a session: closing it leaves the shared instance open. */
    private readonly ownsInstance = true,
  ) {}

  static async open(options: EngineOptions = {}): Promise<Engine> {
    const threads = options.threads ?? Number(readEnv('ANALYTICS_DUCKDB_THREADS') ?? options.defaultThreads ?? os.availableParallelism());
    const config: Record<string, string> = { threads: String(threads) };
    const memory = readEnv('ANALYTICS_DUCKDB_MEMORY') ?? options.memoryLimit;
    if (memory) config.memory_limit = memory;
    if (options.tempDirectory) config.temp_directory = options.tempDirectory;
    config.allocator_flush_threshold = ALLOCATOR_FLUSH_THRESHOLD;
    const instance = await DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    // Event times are UTC (event_date, event_hour, partitions, de-duplication); DuckDB would
    // otherwise cast and format TIMESTAMPTZ in the machine's local time zone.
    await connection.run(`SET TimeZone = 'UTC'`);
    return new Engine(instance, connection, memory, new MemoryFloors(memory));
  }

  /**
   * Another connection to the same in-memory database: it sees the same views and tables and can
   * run a query while this one runs another (ETL steps that do not depend on each other).
   */
  async session(): Promise<Engine> {
    const connection = await this.instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    return new Engine(this.instance, connection, this.memoryLimit, this.floors, false);
  }

  /**
   * Runs `work` with a memory limit of at least `bytes`, then restores the configured limit. For
   * streaming statements whose peak does not grow with the input but which DuckDB runs on fewer
   * threads when the limit is tight (the order-preserving Parquet write, direct-write.ts). The
   * limit is the instance's, so statements of other sessions that run meanwhile have it too; it
   * is restored when no session asks for more (MemoryFloors).
   */
  async withMemoryAtLeast<T>(bytes: number, work: () => Promise<T>): Promise<T> {
    const limit = this.memoryLimit;
    const configured = limit === undefined ? undefined : sizeInBytes(limit);
    if (limit === undefined || configured === undefined || configured >= bytes) return work();
    const restore = await this.floors.raise(this.connection, bytes);
    try {
      return await work();
    } finally {
      await restore();
    }
  }

  /** Runs statements for their effect. */
  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Runs a query and returns every row as a JSON-friendly object. */
  async rows<T = Row>(sql: string): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.convertRowObjects(jsonFriendly) as T[];
  }

  /** Runs a query and returns its columns as arrays (JSON-friendly values), cheaper than row objects for many rows. */
  async columns(sql: string): Promise<{ rowCount: number; columns: Record<string, Json[]> }> {
    const reader = await this.connection.runAndReadAll(sql);
    return { rowCount: reader.currentRowCount, columns: reader.convertColumnsObject(jsonFriendly) as Record<string, Json[]> };
  }

  /**
   * Like `columns`, without any conversion: only for queries whose columns are all VARCHAR,
   * DOUBLE or BOOLEAN (cast in the SQL), which arrive as strings, numbers and booleans. Several
   * times faster than converting each value (the stream jobs read every stored event).
   */
  async primitiveColumns(sql: string): Promise<{ rowCount: number; columns: Record<string, (string | number | boolean | null)[]> }> {
    const reader = await this.connection.runAndReadAll(sql);
    return { rowCount: reader.currentRowCount, columns: reader.getColumnsObject() as Record<string, (string | number | boolean | null)[]> };
  }

  /** Runs a query and returns the rows with the result's column names and types. */
  async table(sql: string): Promise<{ columns: ColumnInfo[]; rows: Row[] }> {
    const reader = await this.connection.runAndReadAll(sql);
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const columns = names.map((name, index) => ({ name, type: String(types[index]) }));
    return { columns, rows: reader.convertRowObjects(jsonFriendly) as Row[] };
  }


  /** The statement types in a SQL text, without running it (used to keep queries read-only). */
  async statementTypes(sql: string): Promise<string[]> {
    const extracted = await this.connection.extractStatements(sql);
    const types: string[] = [];
    for (let index = 0; index < extracted.count; index++) {
      const prepared = await extracted.prepare(index);
      types.push(StatementTypeName[prepared.statementType] ?? String(prepared.statementType));
      prepared.destroySync?.();
    }
    return types;
  }


  close(): void {
    this.connection.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** Bytes of a size such as `512MB` or `1.5GiB`, read as DuckDB reads it (KB = 1000 bytes, KiB = 1024). */
export function sizeInBytes(size: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(size);
  const unit = SIZE_UNITS[(match?.[2] || 'b').toLowerCase()];
  return match && unit !== undefined ? Number(match[1]) * unit : undefined;
}

/** DuckDB's statement type numbers (duckdb.h `duckdb_statement_type`). */
const StatementTypeName: Record<number, string> = {
  0: 'INVALID', 1: 'SELECT', 2: 'INSERT', 3: 'UPDATE', 4: 'EXPLAIN', 5: 'DELETE', 6: 'PREPARE',
  7: 'CREATE', 8: 'EXECUTE', 9: 'ALTER', 10: 'TRANSACTION', 11: 'COPY', 12: 'ANALYZE',
  13: 'VARIABLE_SET', 14: 'CREATE_FUNC', 15: 'DROP', 16: 'EXPORT', 17: 'PRAGMA', 18: 'VACUUM',
  19: 'CALL', 20: 'SET', 21: 'LOAD', 22: 'RELATION', 23: 'EXTENSION', 24: 'LOGICAL_PLAN',
  25: 'ATTACH', 26: 'DETACH', 27: 'MULTI',
};

const INTEGER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT,
]);

/** JSON conversion that scripts want: safe integers and decimals as numbers, times in UTC ISO 8601. */
const jsonFriendly: DuckDBValueConverter<Json> = (value: DuckDBValue, type: DuckDBType, converter) => {
  if (value === null) return null;
  if (INTEGER_TYPES.has(type.typeId)) {
    const asNumber = Number(value as bigint);
    return Number.isSafeInteger(asNumber) ? asNumber : String(value);
  }
  if (type.typeId === DuckDBTypeId.DECIMAL) return Number(String(value));
  if (type.typeId === DuckDBTypeId.TIMESTAMP_TZ || type.typeId === DuckDBTypeId.TIMESTAMP) {
    const micros = (value as { micros: bigint }).micros;
    const iso = new Date(Number(micros / 1000n)).toISOString();
    // A TIMESTAMP has no zone: print it without one rather than pretend it is UTC.
    return type.typeId === DuckDBTypeId.TIMESTAMP ? iso.slice(0, -1) : iso;
  }
  return JsonDuckDBValueConverter(value, type, converter);
};
