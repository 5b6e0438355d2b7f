/**
 * `analytics generate`: runs the seeded generator into a file or stdout in NDJSON, CSV or
 * Parquet, and writes the ground truth (anomalies, fraud rings, bad records) beside it.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { UserError } from '../errors.js';
import { createGroundTruth, generateRecords, writeCsv, writeNdjson, writeParquet, type GenerateOptions, type GroundTruth } from './generate/index.js';

export const OUTPUT_FORMATS = ['ndjson', 'csv', 'parquet'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface GenerateOutput {
  format: OutputFormat;
  /** File to write; standard output when absent (not for Parquet). */
  out?: string;
  /** Where to write the ground truth JSON, if wanted. */
  truthFile?: string;
  stdout?: Writable;
}

export interface GenerateSummary {
  format: OutputFormat;
  out: string | null;
  records: number;
  /** Records left out of the output (bad records Parquet cannot represent). */
  skipped: number;
  truth: GroundTruth['counts'];
  anomalies: number;
  truthFile: string | null;
}

export async function generateToOutput(options: GenerateOptions, output: GenerateOutput): Promise<GenerateSummary> {
  if (output.format === 'parquet' && !output.out) {
    throw new UserError('BAD_ARGUMENT', 'Parquet output needs a file.', { hint: 'Add --out events.parquet' });
  }
  const truth = createGroundTruth(options);
  const records = generateRecords(options, truth);
  let written = 0;
  let skipped = 0;
  if (output.format === 'parquet') {
    const summary = await writeParquet(records, output.out!);
    written = summary.rows;
    skipped = summary.skipped;
  } else {
    const stream: Writable = output.out ? createWriteStream(output.out) : (output.stdout ?? process.stdout);
    written = output.format === 'csv' ? (await writeCsv(records, stream)).rows : await writeNdjson(records, stream);
    if (output.out) {
      stream.end();
      await once(stream, 'finish');
    }
  }
  if (output.truthFile) await fs.writeFile(output.truthFile, `${JSON.stringify(truth, null, 2)}\n`);
  return {
    format: output.format,
    out: output.out ?? null,
    records: written,
    skipped,
    truth: truth.counts,
    anomalies: truth.anomalies.length,
    truthFile: output.truthFile ?? null,
  };
}
