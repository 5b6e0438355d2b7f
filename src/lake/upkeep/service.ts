/** Lake upkeep for a workspace: what the `analytics lake …` commands and the scheduler call. */
import { Engine } from '../../duckdb/engine.js';
import type { Workspace } from '../../workspace/workspace.js';
import { LakeLayout } from '../layout.js';
import { createLakeViews, snapshotTables } from '../reader.js';
import { lakeInfo, type LakeInfo } from './info.js';
import { compactLake, type CompactOptions, type CompactResult } from './compact.js';
import { applyRetention, type RetentionResult } from './retention.js';
import { vacuumLake, type VacuumResult } from './vacuum.js';

async function withReader<T>(workspace: Workspace, work: (engine: Engine, snapshot: Awaited<ReturnType<typeof createLakeViews>>) => Promise<T>): Promise<T> {
  const engine = await Engine.open({ memoryLimit: workspace.config.engine.memory_limit, ...(workspace.config.engine.threads ? { threads: workspace.config.engine.threads } : {}) });
  try {
    return await work(engine, await createLakeViews(engine, workspace.lakeRoot, workspace.registry));
  } finally {
    engine.close();
  }
}

export function workspaceLakeInfo(workspace: Workspace): Promise<LakeInfo> {
  return withReader(workspace, (engine, snapshot) => lakeInfo(engine, snapshot, snapshotTables(snapshot, workspace.registry).map((table) => table.name)));
}

export function compactWorkspaceLake(workspace: Workspace, options: CompactOptions = {}): Promise<CompactResult> {
  return withReader(workspace, (engine, snapshot) =>
    compactLake(engine, new LakeLayout(workspace.lakeRoot), snapshot, snapshotTables(snapshot, workspace.registry), options));
}

export function vacuumWorkspaceLake(workspace: Workspace, options: { dryRun?: boolean; graceMinutes?: number } = {}): Promise<VacuumResult> {
  return vacuumLake(new LakeLayout(workspace.lakeRoot), { graceMinutes: options.graceMinutes ?? workspace.config.lake.vacuum_grace_minutes, ...(options.dryRun ? { dryRun: true } : {}) });
}

export function retainWorkspaceLake(workspace: Workspace, options: { dryRun?: boolean; now?: Date } = {}): Promise<RetentionResult> {
  return withReader(workspace, (_engine, snapshot) => applyRetention(new LakeLayout(workspace.lakeRoot), snapshot, workspace.config.lake.retention, options));
}
