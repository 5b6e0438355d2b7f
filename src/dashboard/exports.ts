/**
 * Files the dashboard writes on request: a widget's (or drill-down's) rows as CSV or JSON, and a
 * text snapshot of the screen. Each is written to a temp file and renamed, so a reader never
 * sees half a file.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { renderRows } from '../cli/output.js';
import { replaceAtomically } from '../lake/durable-fs.js';
import type { ExportTable } from './data/types.js';

/** `20261125-210405`: sortable and safe in file names (UTC). */
export function fileStamp(date: Date): string {
  return date.toISOString().slice(0, 19).replaceAll('-', '').replaceAll(':', '').replace('T', '-');
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'widget';
}

export async function exportTable(table: ExportTable, format: 'csv' | 'json', dir: string, name: string, now = new Date()): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${slug(name)}-${fileStamp(now)}.${format}`);
  const columns = table.columns.map((column) => ({ name: column, type: 'VARCHAR' }));
  await replaceAtomically(file, renderRows(format, columns, table.rows));
  return file;
}

export async function writeScreenSnapshot(text: string, dir: string, now = new Date()): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `dashboard-${fileStamp(now)}.txt`);
  await replaceAtomically(file, text.endsWith('\n') ? text : `${text}\n`);
  return file;
}
