/** Temporary workspaces for tests, created through the library (no CLI process). */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initWorkspace } from '../../src/workspace/init.js';
import { openWorkspace, type Workspace } from '../../src/workspace/workspace.js';

export async function tempWorkspace(prefix = 'analytics-test-'): Promise<{ dir: string; workspace: Workspace; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await initWorkspace(dir);
  const workspace = await openWorkspace({ workspace: dir });
  return { dir, workspace, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
