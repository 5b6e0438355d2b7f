/**
 * Synthetic test data for the four built-in event streams: realistic, seeded, streaming.
 *
 * ```ts
 * const options = { seed: 42, start: new Date('2026-11-24T00:00:00Z'), end: new Date('2026-11-25T00:00:00Z'), badRatio: 0.01 };
 * const truth = createGroundTruth(options);
 * await writeNdjson(generateRecords(options, truth), stream);
 * // truth now lists the anomalies, fraud rings, bad records and duplicates.
 * ```
 *
 * Same seed and options give byte-identical records. The library never prints or exits.
 */
import { generateRecords } from './generator.js';
import { createGroundTruth, type GroundTruth } from './ground-truth.js';
import type { GenerateOptions } from './options.js';

export type { EventTypeName, GeneratedEvent } from './events.js';
export { EVENT_TYPES } from './events.js';
export type { GenerateOptions } from './options.js';
export { DEFAULT_RATE } from './options.js';
export type { GeneratedRecord } from './generator.js';
export { generateRecords } from './generator.js';
export type { BadKind } from './bad-records.js';
export { BAD_KINDS, BAD_KIND_REASONS } from './bad-records.js';
export type { Anomaly, AnomalyKind } from './anomalies.js';
export type {
  BadRecordTruth,
  DuplicateTruth,
  FraudRing,
  GroundTruth,
  GroundTruthCounts,
  SecurityBurst,
} from './ground-truth.js';
export { createGroundTruth } from './ground-truth.js';
export type { CsvWriteSummary, ParquetWriteOptions, ParquetWriteSummary } from './write.js';
export { CSV_COLUMNS, CSV_LOST_BAD_KINDS, DATA_COLUMNS, PARQUET_DATA_TYPE, writeCsv, writeNdjson, writeParquet } from './write.js';

/**
 * Runs the generator to the end without keeping the records and returns the complete ground
 * truth. Costs a full generation; to get records and truth in one pass, pass a GroundTruth from
 * createGroundTruth to generateRecords instead.
 */
export function collectGroundTruth(options: GenerateOptions): GroundTruth {
  const truth = createGroundTruth(options);
  for (const _record of generateRecords(options, truth)) {
    // Drain: the truth fills as records are produced.
  }
  return truth;
}
