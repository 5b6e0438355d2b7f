/** Generates a data set in memory with its ground truth, for the generator's tests. */
import {
  createGroundTruth,
  generateRecords,
  type GeneratedRecord,
  type GenerateOptions,
  type GroundTruth,
} from '../../../src/pipelines/generate/index.js';

export const DAY_START = new Date('2026-11-23T00:00:00Z');
export const DAY_END = new Date('2026-11-24T00:00:00Z');

export interface SampleData {
  records: GeneratedRecord[];
  truth: GroundTruth;
}

export function generateAll(options: GenerateOptions): SampleData {
  const truth = createGroundTruth(options);
  const records = [...generateRecords(options, truth)];
  return { records, truth };
}

/** Parsed JSON of a record known to be valid. */
export function parse(record: GeneratedRecord): EventJson {
  return JSON.parse(record.line) as EventJson;
}

export interface EventJson {
  id: string;
  type: string;
  version: number;
  occurred_at: string;
  source: string;
  trace_id?: string;
  data: Record<string, unknown>;
}
