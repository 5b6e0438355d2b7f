/** The global filters as typed in the filter bar or given with --filter. */

/** Parses `country=FR channel=ecommerce`; an error sentence when a key is not offered. */
export function parseFilters(text: string, allowed: readonly string[]): Record<string, string> | string {
  const filters: Record<string, string> = {};
  for (const part of text.trim().split(/\s+/).filter(Boolean)) {
    const match = /^([a-z_][a-z0-9_]*)=(.+)$/.exec(part);
    if (!match) return `write dimension=value, e.g. ${allowed[0] ?? 'country'}=FR`;
    if (!allowed.includes(match[1]!)) return `"${match[1]}" is not a filter of this dashboard (${allowed.join(', ') || 'none declared'})`;
    filters[match[1]!] = match[2]!;
  }
  return filters;
}

