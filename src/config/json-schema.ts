import { z } from 'zod';

/** A JSON Schema as plain data, as far as the generators here read it. */
export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema (draft 2020-12) of a configuration file, for editors and `--json` consumers.
 * It describes what a user may *write* (`io: 'input'`), so fields with a default are optional;
 * `.describe()` texts become `description` and `.default()` values become `default`.
 */
export function configJsonSchema(schema: z.ZodType, meta: { id: string; title: string }): JsonSchema {
  const { $schema, ...rest } = inputJsonSchema(schema);
  // $schema, $id and title first: the order a reader (and a committed file's diff) expects.
  return { $schema, $id: meta.id, title: meta.title, ...rest };
}

/** The plain generated schema, shared with the reference-doc generator. */
export function inputJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    // A refinement-only type (z.custom) becomes `{}` rather than failing the docs build.
    unrepresentable: 'any',
  }) as JsonSchema;
}
