/**
 * `analytics etl validate` and `etl list`: the configuration and every step's SQL checked by
 * DuckDB's parser, the DAG checked for cycles and missing steps or tables, and the plan.
 */
import { Engine } from '../duckdb/engine.js';
import type { Workspace } from '../workspace/workspace.js';
import { planWorkspace } from './run.js';

export interface PlannedStep {
  name: string;
  /** Level in the DAG: steps of one level run concurrently. */
  level: number;
  upstream: string[];
  tables: string[];
  source: 'sql' | 'files';
  load: { table: string; mode: string; key?: string[]; partition_by?: string } | null;
  checks: number;
  where: string;
}

export interface PlannedPipeline {
  name: string;
  description: string | null;
  depends_on: string[];
  where: string;
  steps: PlannedStep[];
}

export interface EtlPlanSummary {
  file: string;
  lakeVersion: number;
  pipelines: PlannedPipeline[];
  checks: number;
}

/** Plans every pipeline; throws a ConfigError listing every problem with file:line. */
export async function validatePipelines(workspace: Workspace): Promise<EtlPlanSummary> {
  const engine = await Engine.open({ memoryLimit: workspace.config.engine.memory_limit });
  try {
    const { plan, snapshot } = await planWorkspace(workspace, engine);
    return {
      file: plan.file,
      lakeVersion: snapshot.version,
      checks: plan.config.checks.length,
      pipelines: plan.pipelines.map((pipeline) => ({
        name: pipeline.name,
        description: pipeline.definition.description ?? null,
        depends_on: pipeline.definition.depends_on,
        where: pipeline.where,
        steps: pipeline.steps.map((step) => {
          const load = step.definition.load;
          return {
            name: step.name,
            level: pipeline.levels.findIndex((level) => level.includes(step.name)),
            upstream: step.upstream,
            tables: step.tables,
            source: step.definition.files === undefined ? 'sql' : 'files',
            load: load ? { table: load.table, mode: load.mode, ...(load.key ? { key: load.key } : {}), ...(load.partition_by ? { partition_by: load.partition_by } : {}) } : null,
            checks: step.definition.checks.length,
            where: step.where,
          };
        }),
      })),
    };
  } finally {
    engine.close();
  }
}
