/**
 * Ink keeps the measured size of every distinct text it has laid out, forever: a module-level
 * Map in `ink/build/measure-text.js`, not exported. A live dashboard draws new texts all the
 * time (chart lines, log lines, the clock), so that Map alone grew the heap by about 30 MiB an
 * hour under 10 live updates/s. This finds the Map (by catching the `set` that measuring a
 * probe text makes) so the dashboard can trim it; it is only a memo, so trimming costs a
 * re-measure at most. If a later Ink keeps its cache otherwise, nothing is found and nothing
 * is trimmed (test/unit/dashboard/ink-text-cache.test.ts notices).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface InkTextCache {
  readonly size: number;
  /** Drops the oldest entries beyond `keep`. */
  trim(keep: number): void;
}

/** Ink's text-measure cache, or undefined when this Ink version does not have one we can find. */
export async function findInkTextCache(): Promise<InkTextCache | undefined> {
  let measureText: (text: string) => unknown;
  try {
    const inkEntry = createRequire(import.meta.url).resolve('ink');
    // The same file Ink imports, so the same module instance and the same Map.
    const module = (await import(pathToFileURL(path.join(path.dirname(inkEntry), 'measure-text.js')).href)) as { default?: unknown };
    if (typeof module.default !== 'function') return undefined;
    measureText = module.default as (text: string) => unknown;
  } catch {
    return undefined;
  }
  const probe = `\u0000analytics-measure-probe-${process.pid}-${Date.now()}`;
  let found: Map<unknown, unknown> | undefined;
  const originalSet = Map.prototype.set;
  Map.prototype.set = function catchCache<K, V>(this: Map<K, V>, key: K, value: V): Map<K, V> {
    if (key === probe) found = this as Map<unknown, unknown>;
    return originalSet.call(this, key, value) as Map<K, V>;
  };
  try {
    measureText(probe);
  } finally {
    Map.prototype.set = originalSet;
  }
  if (!found) return undefined;
  const cache = found;
  cache.delete(probe);
  return {
    get size() {
      return cache.size;
    },
    trim(keep: number) {
      let excess = cache.size - keep;
      // A Map iterates in insertion order: the oldest texts go first.
      for (const key of cache.keys()) {
        if (excess-- <= 0) break;
        cache.delete(key);
      }
    },
  };
}
