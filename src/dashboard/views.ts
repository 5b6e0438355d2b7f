/**
 * Saved views: the filters, time range, focused widget and zoom of a dashboard under a name, in
 * `dashboards/views/<name>.json`, reopened with `analytics dashboard --view NAME`.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { replaceAtomically } from '../lake/durable-fs.js';
import type { Workspace } from '../workspace/workspace.js';
import { DASHBOARDS_DIR } from './load.js';
import { TIME_RANGES } from './schema.js';

export const VIEWS_DIR = path.join(DASHBOARDS_DIR, 'views');

export const savedViewSchema = z
  .object({
    dashboard: z.string().describe('The dashboard the view belongs to.'),
    time_range: z.union([z.enum(TIME_RANGES), z.object({ from: z.string(), to: z.string() }).strict()]).describe('A preset range or a custom one (ISO times).'),
    filters: z.record(z.string(), z.string()).default({}).describe('Global filters, dimension → value.'),
    focus: z.string().optional().describe('Id of the focused widget (r<row>w<index>).'),
    zoom: z.boolean().default(false).describe('The focused widget fills the screen.'),
    saved_at: z.string().optional(),
  })
  .strict();

export type SavedView = z.output<typeof savedViewSchema>;

const VIEW_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function checkViewName(name: string): string | undefined {
  return VIEW_NAME.test(name) ? undefined : 'a view name is letters, digits, - and _ (up to 64)';
}

export async function saveView(workspace: Workspace, name: string, view: SavedView): Promise<string> {
  const problem = checkViewName(name);
  if (problem) throw new UserError('BAD_ARGUMENT', `"${name}" is not a view name: ${problem}.`);
  const dir = workspace.resolve(VIEWS_DIR);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  await replaceAtomically(file, `${JSON.stringify({ ...view, saved_at: new Date().toISOString() }, null, 2)}\n`);
  return file;
}

export async function loadView(workspace: Workspace, name: string): Promise<SavedView> {
  const file = path.join(workspace.resolve(VIEWS_DIR), `${name}.json`);
  if (checkViewName(name) || !existsSync(file)) {
    const dir = workspace.resolve(VIEWS_DIR);
    const names = existsSync(dir) ? (await fs.readdir(dir)).filter((entry) => entry.endsWith('.json')).map((entry) => entry.slice(0, -5)) : [];
    throw new UserError('BAD_ARGUMENT', `No saved view named "${name}".`, { hint: names.length > 0 ? `Saved views: ${names.join(', ')}.` : 'Save one from the dashboard with w.' });
  }
  const parsed = savedViewSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
  if (!parsed.success) throw new UserError('CONFIG_INVALID', `${file}: not a saved view (${parsed.error.issues[0]?.message ?? 'invalid'}).`, { hint: 'Save the view again from the dashboard with w, or delete the file.' });
  return parsed.data;
}
