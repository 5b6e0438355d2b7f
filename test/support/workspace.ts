/** Temporary workspaces for tests, created through the library (no CLI process). */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initWorkspace } from '../../src/workspace/init.js';
import { openWorkspace, type Workspace } from '../../src/workspace/workspace.js';

/**
 * A scaffolded workspace. The scaffold's default stream jobs (streams.yaml) are removed unless
 * `streams` is set, so tests of other parts see only what they ingest (no stream tables, no
 * stream dead letters).
 */
export async function tempWorkspace(prefix = 'analytics-test-', options: { streams?: boolean } = {}): Promise<{ dir: string; workspace: Workspace; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await initWorkspace(dir);
  if (!options.streams) await rm(path.join(dir, 'streams.yaml'));
  const workspace = await openWorkspace({ workspace: dir });
  return { dir, workspace, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
