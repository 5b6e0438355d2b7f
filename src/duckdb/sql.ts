/** Quoting for SQL text that we generate. Values from users never reach SQL unquoted. */

/** A string literal: 'it''s'. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** An identifier: "type". Always quote generated identifiers; some field names are keywords. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A list literal of strings: ['a', 'b']. */
export function literalList(values: readonly string[]): string {
  return `[${values.map(literal).join(', ')}]`;
}
