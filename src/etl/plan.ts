/**
 * Reads `pipelines.yaml` and turns it into a plan: every step's SQL parsed by DuckDB (never by a
 * regular expression), the tables and steps it reads, the DAG of steps and of pipelines, in run
 * order. Every problem (SQL that does not parse, a cycle, a missing step or table, an unknown
 * parameter) is collected with its file:line and the pipeline and step it is about, then thrown
 * once as a ConfigError.
 */
import { existsSync, readFileSync } from 'node:fs';
import { closestMatch } from '../config/did-you-mean.js';
import { parseConfigText } from '../config/load.js';
import { ConfigError, type ConfigProblem } from '../config/problems.js';
import { formatPath, YamlSource } from '../config/yaml-source.js';
import type { Engine } from '../duckdb/engine.js';
import { literal } from '../duckdb/sql.js';
import type { Workspace } from '../workspace/workspace.js';
import { pipelinesFileSchema, type PipelineDefinition, type PipelinesFile, type StepDefinition } from './schema.js';
import { PLANNING_VALUES, substituteParameters, unknownParameters } from './template.js';

export const PIPELINES_FILE = 'pipelines.yaml';

export interface StepPlan {
  pipeline: string;
  name: string;
  definition: StepDefinition;
  /** file:line of the step, for messages. */
  where: string;
  /** Upstream steps of the same pipeline (from the SQL and `depends_on`). */
  upstream: string[];
  /** Lake and warehouse tables the SQL reads that no step of this pipeline loads. */
  tables: string[];
}

export interface PipelinePlan {
  name: string;
  definition: PipelineDefinition;
  where: string;
  /** Steps in a run order (upstream first). */
  steps: StepPlan[];
  /** Steps grouped by depth: every step of a level can run concurrently. */
  levels: string[][];
  /** Warehouse table → the step that loads it. */
  loads: Map<string, string>;
}

export interface EtlPlan {
  file: string;
  config: PipelinesFile;
  /** Pipelines in a run order (dependencies first). */
  pipelines: PipelinePlan[];
}

/** Tables a SQL text reads (CTE names left out), or DuckDB's parse error with its offset. */
export async function tablesReadBy(engine: Engine, sql: string): Promise<{ tables: string[] } | { error: string; offset: number | undefined }> {
  const [row] = await engine.rows<{ parsed: string }>(`SELECT json_serialize_sql(${literal(sql)})::VARCHAR AS parsed`);
  const parsed = JSON.parse(row?.parsed ?? '{"error":true}') as { error: boolean; error_type?: string; error_message?: string; position?: string; statements?: unknown[] };
  if (parsed.error) {
    const message = parsed.error_type === 'parser' ? (parsed.error_message ?? 'syntax error') : 'only a SELECT (or WITH … SELECT) can be a step';
    return { error: message, offset: parsed.position === undefined ? undefined : Number(parsed.position) };
  }
  if ((parsed.statements?.length ?? 0) !== 1) return { error: `a step runs one SELECT; this SQL has ${parsed.statements?.length ?? 0} statements`, offset: undefined };
  const tables = new Set<string>();
  const ctes = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    if (object.type === 'BASE_TABLE' && typeof object.table_name === 'string') tables.add(object.table_name);
    const cteMap = object.cte_map as { map?: { key: string }[] } | undefined;
    for (const entry of cteMap?.map ?? []) ctes.add(entry.key);
    Object.values(object).forEach(walk);
  };
  walk(parsed.statements);
  return { tables: [...tables].filter((table) => !ctes.has(table)) };
}

interface Locator {
  file: string;
  source: YamlSource;
}

function locate(locator: Locator, path: PropertyKey[]): { line: number; column: number } {
  const found = locator.source.locate(path);
  return locator.source.positionOf(found.node);
}

/** The line in the file of an offset inside a step's SQL (block scalars start one line down). */
function sqlLine(locator: Locator, path: PropertyKey[], sql: string, offset: number | undefined): { line: number; column: number } {
  const start = locate(locator, path);
  if (offset === undefined) return start;
  const node = locator.source.locate(path).node as { type?: string } | undefined;
  const block = node?.type === 'BLOCK_LITERAL' || node?.type === 'BLOCK_FOLDED';
  const linesBefore = sql.slice(0, offset).split('\n').length - 1;
  return { line: start.line + linesBefore + (block ? 1 : 0), column: linesBefore === 0 && !block ? start.column : 1 };
}

/** Reads and validates pipelines.yaml (schema only); an absent file is an empty one. */
export function readPipelinesFile(workspace: Workspace): { file: string; text: string; config: PipelinesFile } {
  const file = workspace.resolve(PIPELINES_FILE);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return { file, text, config: parseConfigText(text, file, pipelinesFileSchema) };
}

/** Cycle in a graph given as node → nodes it depends on; the nodes of the first cycle found. */
function findCycle(nodes: readonly string[], edges: (node: string) => readonly string[]): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges(node)) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of nodes) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Levels of a DAG: level 0 has no dependencies, level n depends on lower levels only. */
function levelsOf(nodes: readonly string[], edges: (node: string) => readonly string[]): string[][] {
  const depth = new Map<string, number>();
  const depthOf = (node: string): number => {
    const known = depth.get(node);
    if (known !== undefined) return known;
    const value = Math.max(-1, ...edges(node).map(depthOf)) + 1;
    depth.set(node, value);
    return value;
  };
  const levels: string[][] = [];
  for (const node of nodes) (levels[depthOf(node)] ??= []).push(node);
  return levels;
}

/**
 * Builds the plan of every pipeline. `lake` names the tables the lake has now: event tables (with
 * dead letters) and derived tables; tables loaded by any pipeline of the file count as known too.
 */
export async function planPipelines(engine: Engine, workspace: Workspace, lake: { eventTables: readonly string[]; derivedTables: readonly string[] }): Promise<EtlPlan> {
  const { file, text, config } = readPipelinesFile(workspace);
  const locator: Locator = { file, source: new YamlSource(text) };
  const problems: ConfigProblem[] = [];
  const problem = (path: PropertyKey[], message: string, hint?: string, position = locate(locator, path)) => {
    problems.push({ file, ...position, path: formatPath(path), message, ...(hint === undefined ? {} : { hint }) });
  };
  const lakeTables = new Set([...lake.eventTables, ...lake.derivedTables]);
  const loadedBy = new Map<string, { pipeline: string; step: string }>();
  const pipelineNames = config.pipelines.map((pipeline) => pipeline.name);

  config.pipelines.forEach((pipeline, p) => {
    if (pipelineNames.indexOf(pipeline.name) !== p) problem(['pipelines', p, 'name'], `pipeline name "${pipeline.name}" is used twice`, 'give each pipeline its own name');
    pipeline.steps.forEach((step, s) => {
      if (!step.load) return;
      const other = loadedBy.get(step.load.table);
      if (other) problem(['pipelines', p, 'steps', s, 'load', 'table'], `pipeline ${pipeline.name}, step ${step.name}: table ${step.load.table} is already loaded by pipeline ${other.pipeline}, step ${other.step}`, 'one step owns each warehouse table; load another table or merge the steps');
      else loadedBy.set(step.load.table, { pipeline: pipeline.name, step: step.name });
      if (lake.eventTables.includes(step.load.table)) problem(['pipelines', p, 'steps', s, 'load', 'table'], `pipeline ${pipeline.name}, step ${step.name}: ${step.load.table} is an event table of the lake; ETL writes warehouse tables only`, 'choose another table name, e.g. fact_…');
    });
  });

  const plans: PipelinePlan[] = [];
  for (const [p, pipeline] of config.pipelines.entries()) {
    const stepNames = pipeline.steps.map((step) => step.name);
    const loads = new Map(pipeline.steps.filter((step) => step.load).map((step) => [step.load!.table, step.name] as const));
    const steps: StepPlan[] = [];
    for (const [s, step] of pipeline.steps.entries()) {
      const path = ['pipelines', p, 'steps', s];
      const who = `pipeline ${pipeline.name}, step ${step.name}`;
      if (stepNames.indexOf(step.name) !== s) problem([...path, 'name'], `${who}: the step name is used twice in the pipeline`, 'give each step its own name');
      if (lakeTables.has(step.name) && loadedBy.get(step.name)?.step !== step.name) problem([...path, 'name'], `${who}: the step name hides the lake table ${step.name}`, 'rename the step, e.g. stg_' + step.name);
      const upstream = new Set<string>();
      const tables = new Set<string>();
      for (const [d, dependency] of step.depends_on.entries()) {
        if (!stepNames.includes(dependency)) problem([...path, 'depends_on', d], `${who}: depends on step "${dependency}", which the pipeline does not have`, `steps: ${stepNames.join(', ')}`);
        else upstream.add(dependency);
      }
      if (step.sql !== undefined) {
        const unknown = unknownParameters(step.sql);
        if (unknown.length > 0) problem([...path, 'sql'], `${who}: unknown parameter ${unknown.map((name) => `{{ ${name} }}`).join(', ')}`, 'parameters: {{ run_date }}, {{ from }}, {{ to }}, {{ run_id }}, {{ watermark }}');
        const analysed = await tablesReadBy(engine, substituteParameters(step.sql, PLANNING_VALUES));
        if ('error' in analysed) {
          problem([...path, 'sql'], `${who}: the SQL does not parse: ${analysed.error}`, 'fix the SQL; `analytics etl validate` checks it without running', sqlLine(locator, [...path, 'sql'], step.sql, analysed.offset));
        } else {
          for (const table of analysed.tables) {
            const loader = loadedBy.get(table);
            if (stepNames.includes(table) && table !== step.name) upstream.add(table);
            else if (loads.has(table) && loads.get(table) !== step.name) upstream.add(loads.get(table)!);
            else if (loader && loader.pipeline !== pipeline.name) {
              if (!pipeline.depends_on.includes(loader.pipeline)) problem([...path, 'sql'], `${who}: reads ${table}, which pipeline ${loader.pipeline} loads, but ${loader.pipeline} is not in this pipeline's depends_on`, `add depends_on: [${loader.pipeline}] to pipeline ${pipeline.name}`);
              tables.add(table);
            } else if (lakeTables.has(table) || loader) tables.add(table);
            else {
              const candidates = [...stepNames, ...lakeTables, ...loadedBy.keys()];
              const close = closestMatch(table, candidates);
              problem([...path, 'sql'], `${who}: reads "${table}", which is no step of the pipeline, lake table or warehouse table`, close ? `did you mean ${close}?` : `steps: ${stepNames.join(', ')}; tables: ${[...lakeTables].join(', ')}`);
            }
          }
        }
      }
      steps.push({ pipeline: pipeline.name, name: step.name, definition: step, where: `${file}:${locate(locator, path).line}`, upstream: [...upstream], tables: [...tables] });
    }
    const byName = new Map(steps.map((step) => [step.name, step]));
    const edges = (name: string) => byName.get(name)?.upstream ?? [];
    const cycle = findCycle(stepNames, edges);
    if (cycle) {
      const s = stepNames.indexOf(cycle[0]!);
      problem(['pipelines', p, 'steps', s], `pipeline ${pipeline.name}: the steps form a cycle: ${cycle.join(' → ')}`, 'a step may only read steps that do not read it back; remove one of the references');
      plans.push({ name: pipeline.name, definition: pipeline, where: `${file}:${locate(locator, ['pipelines', p]).line}`, steps, levels: [stepNames], loads });
      continue;
    }
    const levels = levelsOf(stepNames, edges);
    plans.push({ name: pipeline.name, definition: pipeline, where: `${file}:${locate(locator, ['pipelines', p]).line}`, steps: levels.flat().map((name) => byName.get(name)!), levels, loads });
  }

  for (const [p, pipeline] of config.pipelines.entries()) {
    for (const [d, dependency] of pipeline.depends_on.entries()) {
      if (!pipelineNames.includes(dependency)) problem(['pipelines', p, 'depends_on', d], `pipeline ${pipeline.name}: depends on pipeline "${dependency}", which pipelines.yaml does not define`, `pipelines: ${pipelineNames.join(', ')}`);
    }
  }
  const pipelineEdges = (name: string) => config.pipelines.find((pipeline) => pipeline.name === name)?.depends_on.filter((dependency) => pipelineNames.includes(dependency)) ?? [];
  const pipelineCycle = findCycle(pipelineNames, pipelineEdges);
  if (pipelineCycle) problem(['pipelines', pipelineNames.indexOf(pipelineCycle[0]!), 'depends_on'], `the pipelines depend on each other in a cycle: ${pipelineCycle.join(' → ')}`, 'remove one of the depends_on entries');
  if (problems.length > 0) throw new ConfigError(problems);
  const order = levelsOf(pipelineNames, pipelineEdges).flat();
  return { file, config, pipelines: order.map((name) => plans.find((plan) => plan.name === name)!) };
}
