import { readFile } from 'node:fs/promises';
import { isAlias, isMap, isScalar, isSeq, type Node, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { readConfigEnv } from '../env.js';
import { UserError } from '../errors.js';
import { interpolate, resolvePlainScalar, type EnvLookup } from './interpolate.js';
import { ConfigError, type ConfigProblem } from './problems.js';
import { formatPath, keyText, YamlSource } from './yaml-source.js';
import { markDefaultMessages, problemsFromIssue, type IssueContext } from './zod-issues.js';

export { ConfigError, formatConfigProblem, type ConfigProblem, type ConfigProblemKind } from './problems.js';
export type { EnvLookup } from './interpolate.js';

export interface ConfigLoadOptions {
  /** Reads `${VAR}` references; defaults to the environment (`readConfigEnv`). */
  env?: EnvLookup;
}

/** Hints for the YAML errors people actually make. */
const YAML_HINTS: Partial<Record<YAMLError['code'], string>> = {
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs',
  MULTIPLE_DOCS: 'keep one document per file: remove the extra `---`',
  MISSING_CHAR: 'close the quote or bracket that was opened',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; is a `:` or quote missing above?',
  BLOCK_AS_IMPLICIT_KEY: 'is a `:` missing after the key on the line above?',
};

function yamlProblem(error: YAMLError, source: YamlSource, text: string, file: string): ConfigProblem {
  const offset = error.pos[0];
  const { line, column } = source.positionOfOffset(offset);
  const valuePath = source.pathAtOffset(offset);
  const path = formatPath(valuePath);
  if (error.code === 'DUPLICATE_KEY') {
    const key = String(valuePath[valuePath.length - 1] ?? text.slice(error.pos[0], error.pos[1]));
    return { file, line, column, path, kind: 'yaml', message: `duplicate key ${JSON.stringify(key)}`, hint: 'a key may appear once per mapping; remove or merge the other one' };
  }
  const message = `invalid YAML: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}`;
  const hint =
    error.code === 'BAD_INDENT' && error.message.startsWith('All mapping items')
      ? 'line up the keys of one mapping in the same column'
      : YAML_HINTS[error.code];
  return hint === undefined ? { file, line, column, path, kind: 'yaml', message } : { file, line, column, path, kind: 'yaml', message, hint };
}

interface InterpolatedDocument {
  /** Interpolated scalars, with the text as written, to show instead of their value. */
  masks: Map<Node, string>;
  /** Scalars naming a variable that is not set; their schema problems would only be noise. */
  incomplete: Set<Node>;
  /** Environment values substituted anywhere, longest first, to scrub from messages. */
  secrets: Array<{ name: string; value: string }>;
  problems: ConfigProblem[];
}

/** Secrets shorter than this are not scrubbed: they would mangle ordinary words and numbers. */
const MIN_SCRUBBED_LENGTH = 3;

/**
 * Applies `${VAR}` interpolation to every string value in the document, in place. Keys are left
 * alone. An unquoted scalar that was interpolated is typed again as if its value had been
 * written in the file, so `port: ${PORT}` is a number; a quoted one stays a string.
 */
function interpolateDocument(source: YamlSource, env: EnvLookup, file: string): InterpolatedDocument {
  const result: InterpolatedDocument = { masks: new Map(), incomplete: new Set(), secrets: [], problems: [] };
  const at = (node: Node, path: PropertyKey[], kind: ConfigProblem['kind'], message: string, hint: string): void => {
    const { line, column } = source.positionOf(node);
    result.problems.push({ file, line, column, path: formatPath(path), kind, message, hint });
  };
  const walk = (node: unknown, path: PropertyKey[]): void => {
    if (isScalar(node)) {
      if (typeof node.value !== 'string') return;
      const written = node.value;
      const outcome = interpolate(written, env);
      if (!outcome.interpolated) {
        node.value = outcome.value; // `$${` escapes still need unescaping
        return;
      }
      result.masks.set(node, written);
      result.secrets.push(...outcome.secrets);
      for (const name of outcome.missing) {
        result.incomplete.add(node);
        at(node, path, 'env', `environment variable ${name} is not set`, `export ${name}=… or give a default: \${${name}:-…}`);
      }
      for (const reference of outcome.malformed) {
        result.incomplete.add(node);
        at(node, path, 'schema', `malformed reference ${JSON.stringify(reference)}`, 'write ${NAME} or ${NAME:-default}; write $${ for a literal ${');
      }
      node.value = node.type === 'PLAIN' && node.tag === undefined ? resolvePlainScalar(outcome.value) : outcome.value;
    } else if (isMap(node)) {
      for (const pair of node.items) walk(pair.value, [...path, keyText(pair.key) ?? '?']);
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index]));
    } else if (isAlias(node) && node.resolve(source.document) === undefined) {
      at(node, path, 'yaml', `unknown alias *${node.source}`, `define the anchor first: &${node.source}`);
    }
  };
  walk(source.document.contents, []);
  result.secrets.sort((a, b) => b.value.length - a.value.length);
  return result;
}

/**
 * Parses and validates configuration text. Every problem (YAML syntax, missing environment
 * variables, schema violations) is collected with its line, column and dotted path, then thrown
 * together as one {@link ConfigError}. An empty file counts as an empty mapping.
 *
 * String values may reference the environment: `${VAR}`, `${VAR:-default}`; `$${` is a literal
 * `${`. Values read from the environment are never shown in error messages.
 */
export function parseConfigText<S extends z.ZodType>(text: string, file: string, schema: S, options: ConfigLoadOptions = {}): z.output<S> {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const source = new YamlSource(body);
  const document = source.document;
  const problems = document.errors.map((error) => yamlProblem(error, source, body, file));
  // A duplicate key leaves the structure intact, so validation can still say more; any other
  // syntax error makes the rest guesswork.
  if (document.errors.some((error) => error.code !== 'DUPLICATE_KEY')) throw new ConfigError(problems);

  const interpolated = interpolateDocument(source, options.env ?? readConfigEnv, file);
  problems.push(...interpolated.problems);
  if (interpolated.problems.some((problem) => problem.kind === 'yaml')) throw new ConfigError(problems);

  let data: unknown;
  try {
    data = document.contents === null ? {} : document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // toJS refuses documents that expand aliases without bound (a "billion laughs" file).
    const message = error instanceof Error ? error.message : String(error);
    problems.push({ file, line: 1, column: 1, path: '', kind: 'yaml', message: `invalid YAML: ${message}` });
    throw new ConfigError(problems);
  }

  const result = schema.safeParse(data, { error: markDefaultMessages });
  if (!result.success) {
    const context: IssueContext = {
      file,
      data,
      source,
      maskOf: (node) => interpolated.masks.get(node as Node),
      scrub: (message) =>
        interpolated.secrets.reduce(
          (out, secret) => (secret.value.length >= MIN_SCRUBBED_LENGTH ? out.replaceAll(secret.value, `\${${secret.name}}`) : out),
          message,
        ),
    };
    for (const issue of result.error.issues) {
      const located = source.locate(issue.path);
      if (located.found && located.resolved !== undefined && interpolated.incomplete.has(located.resolved)) continue;
      problems.push(...problemsFromIssue(issue, context));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data as z.output<S>;
}

/**
 * Reads, parses and validates one configuration file; see {@link parseConfigText}. A file that
 * does not exist or cannot be read is a {@link UserError} with a hint.
 */
export async function loadConfigFile<S extends z.ZodType>(file: string, schema: S, options: ConfigLoadOptions = {}): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError('CONFIG_INVALID', `${file}: configuration file not found`, {
        hint: `create ${file}, or check the path and the current directory`,
        cause: error,
      });
    }
    if (code === 'EISDIR') {
      throw new UserError('CONFIG_INVALID', `${file}: is a directory, not a configuration file`, { hint: 'name the YAML file itself', cause: error });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new UserError('CONFIG_INVALID', `${file}: configuration file cannot be read (permission denied)`, {
        hint: `check the permissions of ${file}`,
        cause: error,
      });
    }
    throw error;
  }
  return parseConfigText(text, file, schema, options);
}
