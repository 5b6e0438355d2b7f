/**
 * A workspace is a folder holding `analytics.yaml`. Commands find it like git finds a
 * repository: `--workspace`, then ANALYTICS_WORKSPACE, then the current folder and its parents.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { workspaceSchema, type WorkspaceConfig } from '../config/workspace-schema.js';
import { fieldsFromJsonSchema } from '../contract/from-json-schema.js';
import type { EventTypeSpec } from '../contract/field-spec.js';
import { EventTypeRegistry } from '../contract/registry.js';
import { readEnv } from '../env.js';
import { UserError } from '../errors.js';

export const CONFIG_FILE = 'analytics.yaml';

export interface Workspace {
  root: string;
  configFile: string;
  config: WorkspaceConfig;
  lakeRoot: string;
  registry: EventTypeRegistry;
  /** Resolves a path from the config relative to the workspace root. */
  resolve(relative: string): string;
}

/** Finds the workspace folder without loading it. */
export function findWorkspaceRoot(options: { workspace?: string; cwd?: string } = {}): string {
  const explicit = options.workspace ?? readEnv('ANALYTICS_WORKSPACE');
  if (explicit !== undefined) {
    const root = path.resolve(options.cwd ?? process.cwd(), explicit);
    if (!existsSync(path.join(root, CONFIG_FILE))) {
      throw new UserError('WORKSPACE_NOT_FOUND', `${root} has no ${CONFIG_FILE}.`, {
        hint: `Create a workspace there with: analytics init ${explicit}`,
      });
    }
    return root;
  }
  let dir = path.resolve(options.cwd ?? process.cwd());
  for (;;) {
    if (existsSync(path.join(dir, CONFIG_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new UserError('WORKSPACE_NOT_FOUND', `No ${CONFIG_FILE} in ${options.cwd ?? process.cwd()} or any parent folder.`, {
    hint: 'Run `analytics init` to create a workspace here, or pass --workspace DIR (or set ANALYTICS_WORKSPACE).',
  });
}

export async function openWorkspace(options: { workspace?: string; cwd?: string } = {}): Promise<Workspace> {
  const root = findWorkspaceRoot(options);
  const configFile = path.join(root, CONFIG_FILE);
  const config = await loadConfigFile(configFile, workspaceSchema);
  const resolve = (relative: string) => path.resolve(root, relative);
  return {
    root,
    configFile,
    config,
    lakeRoot: resolve(config.lake.path),
    registry: EventTypeRegistry.create(workspaceEventTypes(config, configFile)),
    resolve,
  };
}

function workspaceEventTypes(config: WorkspaceConfig, configFile: string): EventTypeSpec[] {
  return config.event_types.map((declared) => ({
    type: declared.type,
    version: declared.version,
    table: declared.table ?? `${declared.type}s`,
    description: declared.description,
    fields: fieldsFromJsonSchema(declared.schema),
    origin: configFile,
  }));
}
