/**
 * `analytics quickstart`: the main job on the embedded default, no server needed. In a folder it
 * creates a workspace (if there is none), generates a day of events with a few malformed records
 * and re-sends, ingests them, builds the default warehouse (`etl run` of the pipelines in
 * pipelines.yaml), runs the data checks and computes the day's headline figures. Running it again is safe:
 * the same seed gives the same events, which are then counted as duplicates.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { headlineFigures, type Headline } from '../analytics/headline.js';
import { openLakeReader } from '../analytics/query.js';
import { UserError, type ErrorCode } from '../errors.js';
import { runChecks, type CheckRun } from '../checks/run.js';
import { runEtl, type EtlRunResult } from '../etl/run.js';
import { kpiReport, type KpiResult } from '../metrics/kpi.js';
import { loadMetrics } from '../metrics/service.js';
import { initWorkspace } from '../workspace/init.js';
import { CONFIG_FILE, openWorkspace } from '../workspace/workspace.js';
import { ingestFiles, type IngestSummary } from './ingest/file-ingest.js';
import { generateToOutput, type GenerateSummary } from './synthetic-data.js';

export interface QuickstartOptions {
  seed?: number;
  /** Day of events to generate (UTC midnight); default yesterday. */
  day: Date;
  /** Events per second of event time (default 2: about 173,000 events a day). */
  rate?: number;
  onStep?: (step: 'init' | 'generate' | 'ingest' | 'etl' | 'checks' | 'figures', detail: string) => void;
}

export interface QuickstartResult {
  workspace: string;
  createdWorkspace: boolean;
  eventsFile: string;
  generated: GenerateSummary;
  ingest: IngestSummary;
  /** The default pipelines' run (the warehouse). */
  etl: EtlRunResult;
  checks: CheckRun;
  kpis: KpiResult[];
  headline: Headline;
}

export async function runQuickstart(dir: string, options: QuickstartOptions): Promise<QuickstartResult> {
  const root = path.resolve(dir);
  const createdWorkspace = !existsSync(path.join(root, CONFIG_FILE));
  if (createdWorkspace) {
    options.onStep?.('init', root);
    await initWorkspace(root);
  }
  const workspace = await openWorkspace({ workspace: root });
  const dayText = options.day.toISOString().slice(0, 10);
  await fs.mkdir(path.join(root, 'data'), { recursive: true });
  const eventsFile = path.join(root, 'data', `events-${dayText}.ndjson`);
  options.onStep?.('generate', eventsFile);
  const generated = await generateToOutput(
    { seed: options.seed ?? 42, start: options.day, end: new Date(options.day.getTime() + 86_400_000), rate: options.rate ?? 2, badRatio: 0.002, duplicateRatio: 0.001 },
    { format: 'ndjson', out: eventsFile, truthFile: path.join(root, 'data', `truth-${dayText}.json`) },
  );
  options.onStep?.('ingest', eventsFile);
  const ingest = await ingestFiles(workspace, { paths: [eventsFile], cwd: root, maxErrors: -1 });
  const [failure] = ingest.failures;
  if (failure) throw new UserError(failure.code as ErrorCode, failure.message, failure.hint === undefined ? {} : { hint: failure.hint });
  options.onStep?.('etl', 'pipelines.yaml');
  const etl = await runEtl(workspace);
  if (etl.error) throw new UserError(etl.error.code as ErrorCode, etl.error.message, { hint: 'See analytics etl history; fix pipelines.yaml and run analytics etl run.' });
  options.onStep?.('checks', 'pipelines.yaml');
  const checks = await runChecks(workspace);
  options.onStep?.('figures', dayText);
  const kpis = await kpiReport(workspace);
  const { engine } = await openLakeReader(workspace);
  try {
    const headline = await headlineFigures(engine, await loadMetrics(workspace), workspace.config.reporting_currency);
    return { workspace: root, createdWorkspace, eventsFile, generated, ingest, etl, checks, kpis, headline };
  } finally {
    engine.close();
  }
}
