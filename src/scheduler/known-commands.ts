/**
 * The analytics commands a scheduled job may run, read from the oclif manifest that the build
 * writes (`oclif.manifest.json`), so commands added later (etl, report) need no change here.
 * Without a manifest (a checkout that was never built) the command folders are listed instead.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: two folders up from src/scheduler or dist/scheduler. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let cached: ReadonlySet<string> | undefined;

/** Command ids with words separated by spaces, e.g. `lake compact`, `check`. */
export function knownCommands(): ReadonlySet<string> {
  cached ??= new Set(readManifestCommands() ?? listCommandFiles());
  return cached;
}

function readManifestCommands(): string[] | undefined {
  const file = path.join(PACKAGE_ROOT, 'oclif.manifest.json');
  if (!existsSync(file)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { commands?: Record<string, unknown> };
    return Object.keys(manifest.commands ?? {}).map((id) => id.replaceAll(':', ' '));
  } catch {
    return undefined;
  }
}

function listCommandFiles(): string[] {
  for (const folder of ['dist/commands', 'src/commands']) {
    const root = path.join(PACKAGE_ROOT, folder);
    if (!existsSync(root)) continue;
    const ids: string[] = [];
    const walk = (dir: string, prefix: string[]): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(path.join(dir, entry.name), [...prefix, entry.name]);
        else if (/\.(js|ts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) ids.push([...prefix, entry.name.replace(/\.(js|ts)$/, '')].join(' '));
      }
    };
    walk(root, []);
    return ids;
  }
  return [];
}
