import type { z } from 'zod';
import { closestMatch } from './did-you-mean.js';
import type { ConfigProblem } from './problems.js';
import { formatPath, type LocatedNode, type ValuePath, type YamlSource } from './yaml-source.js';

/**
 * Turns zod issues into sentences a user understands, placed at the node they are about.
 *
 * zod's own default messages ("Invalid input: expected number, received string") are replaced;
 * messages the schema author wrote (refinements, `.min(1, '…')`) pass through. To tell the two
 * apart, validation runs with {@link markDefaultMessages}, so every message zod would have made up
 * carries a marker instead.
 */

const DEFAULT_MARKER = '\u0000config-default:';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

interface MarkerDetails {
  /** For unknown keys: the keys the object or record accepts. */
  knownKeys?: string[];
}

/** Keys an object (its shape) or a record (an enum of keys) accepts. */
function knownKeysOf(schema: unknown): string[] | undefined {
  const def = (schema as { _zod?: { def?: { shape?: object; keyType?: { _zod?: { values?: Set<unknown> } } } } })._zod?.def;
  if (def?.shape !== undefined) return Object.keys(def.shape);
  const values = def?.keyType?._zod?.values;
  return values === undefined ? undefined : [...values].filter((value): value is string => typeof value === 'string');
}

/** The parse-level error map: marks zod's made-up messages and smuggles out what we need later. */
export function markDefaultMessages(issue: RawIssue): string {
  const details: MarkerDetails = {};
  if (issue.code === 'unrecognized_keys') details.knownKeys = knownKeysOf(issue.inst);
  return DEFAULT_MARKER + JSON.stringify(details);
}

function markerDetails(message: string): MarkerDetails | undefined {
  if (!message.startsWith(DEFAULT_MARKER)) return undefined;
  try {
    return JSON.parse(message.slice(DEFAULT_MARKER.length)) as MarkerDetails;
  } catch {
    return {};
  }
}

/** What the conversion needs to know about the file the value came from. */
export interface IssueContext {
  file: string;
  /** The value that was validated (after interpolation). */
  data: unknown;
  source: YamlSource;
  /** The text as written (`${DB_URL}`) when the node's value came from the environment. */
  maskOf(node: unknown): string | undefined;
  /** Replaces environment values in a message with their `${VAR}` reference. */
  scrub(text: string): string;
}

function valueAt(data: unknown, path: ValuePath): { exists: boolean; value: unknown } {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, segment)) {
      return { exists: false, value: undefined };
    }
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return { exists: true, value };
}

const MAX_SHOWN = 60;

function quote(text: string): string {
  return JSON.stringify(text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text);
}

function nounOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'a mapping';
    default:
      return `a ${typeof value}`;
  }
}

/** "the string "ten"", "the number 5", "a list": for type mismatches, where the type matters. */
function describeTyped(value: unknown, mask: string | undefined): string {
  if (mask !== undefined) return `${nounOf(value)} from ${quote(mask)}`;
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  return nounOf(value);
}

/** ""tumbeling"", "0", "a list": for wrong values of the right type. */
function describeValue(value: unknown, mask: string | undefined): string {
  if (mask !== undefined) return `the value of ${quote(mask)}`;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return nounOf(value);
}

function literal(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** "a or b", "a, b or c". */
function alternatives(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? 'nothing';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

const EXPECTED_NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  bigint: 'an integer',
  boolean: 'a boolean',
  array: 'a list',
  tuple: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  set: 'a list',
  null: 'an empty value (null)',
  undefined: 'nothing',
  never: 'nothing',
  date: 'a date',
  nan: 'NaN',
};

function expectedNoun(expected: string): string {
  return EXPECTED_NOUNS[expected] ?? `a ${expected}`;
}

function expectedValues(values: readonly unknown[]): string {
  return values.length === 1 ? literal(values[0]) : `one of ${values.map(literal).join(', ')}`;
}

function didYouMean(value: unknown, candidates: readonly unknown[], mask: string | undefined): string | undefined {
  if (typeof value !== 'string' || mask !== undefined) return undefined;
  const match = closestMatch(
    value,
    candidates.filter((candidate): candidate is string => typeof candidate === 'string'),
  );
  return match === undefined ? undefined : `did you mean ${JSON.stringify(match)}?`;
}

const FORMAT_NOUNS: Record<string, string> = {
  email: 'an email address',
  url: 'a URL',
  uri: 'a URI',
  uuid: 'a UUID',
  guid: 'a GUID',
  datetime: 'an ISO 8601 date and time, e.g. 2024-05-01T12:00:00Z',
  date: 'a date as YYYY-MM-DD',
  time: 'a time as HH:MM[:SS]',
  duration: 'an ISO 8601 duration, e.g. PT5M',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  cidrv4: 'an IPv4 range in CIDR notation',
  cidrv6: 'an IPv6 range in CIDR notation',
  base64: 'base64 text',
  base64url: 'base64url text',
  hostname: 'a host name',
  lowercase: 'a lowercase string',
  uppercase: 'an uppercase string',
};

function formatNoun(issue: z.core.$ZodIssueInvalidStringFormat): string {
  const details = issue as { prefix?: string; suffix?: string; includes?: string };
  switch (issue.format) {
    case 'regex': {
      const pattern = issue.pattern ?? '';
      return `a string matching ${pattern.startsWith('/') ? pattern : `/${pattern}/`}`;
    }
    case 'starts_with':
      return `a string starting with ${JSON.stringify(details.prefix ?? '')}`;
    case 'ends_with':
      return `a string ending with ${JSON.stringify(details.suffix ?? '')}`;
    case 'includes':
      return `a string containing ${JSON.stringify(details.includes ?? '')}`;
    default:
      return FORMAT_NOUNS[issue.format] ?? `a valid ${issue.format}`;
  }
}

function plural(count: number | bigint, noun: string): string {
  return `${count} ${noun}${count === 1 || count === 1n ? '' : 's'}`;
}

/** "expected at least 1 item", "expected a number greater than 0", … */
function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown, mask: string | undefined): string {
  const small = issue.code === 'too_small';
  const bound = small ? issue.minimum : issue.maximum;
  const inclusive = issue.inclusive !== false;
  const relation = issue.exact ? 'exactly' : small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'fewer than';
  switch (issue.origin) {
    case 'number':
    case 'int':
    case 'bigint': {
      const noun = issue.origin === 'number' ? 'a number' : 'an integer';
      const comparison = issue.exact
        ? `equal to ${bound}`
        : small
          ? inclusive ? `of at least ${bound}` : `greater than ${bound}`
          : inclusive ? `of at most ${bound}` : `less than ${bound}`;
      return `expected ${noun} ${comparison}, found ${describeValue(value, mask)}`;
    }
    case 'string': {
      const length = typeof value === 'string' ? value.length : 0;
      const found = mask === undefined ? `${describeValue(value, mask)} (${plural(length, 'character')})` : describeValue(value, mask);
      return `expected ${relation} ${plural(bound, 'character')}, found ${found}`;
    }
    case 'array':
    case 'set': {
      const count = Array.isArray(value) ? value.length : value instanceof Set ? value.size : 0;
      return `expected ${relation} ${plural(bound, 'item')}, found ${count}`;
    }
    default:
      return `expected ${relation} ${bound} (${issue.origin}), found ${describeValue(value, mask)}`;
  }
}

interface Described {
  message: string;
  hint?: string;
}

/** A type mismatch, or a key that is not there at all. */
function describeInvalidType(issue: z.core.$ZodIssueInvalidType, path: ValuePath, context: IssueContext, mask: string | undefined): Described {
  const { exists, value } = valueAt(context.data, path);
  const key = path[path.length - 1];
  if (!exists && key !== undefined && typeof key !== 'number') {
    // Reported at the mapping the key belongs in: the deepest node that exists.
    return { message: `required key ${JSON.stringify(String(key))} is missing` };
  }
  const message = `expected ${expectedNoun(issue.expected)}, found ${describeTyped(value, mask)}`;
  if (mask === undefined && typeof value === 'string' && ['number', 'int'].includes(issue.expected) && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return { message, hint: 'remove the quotes to write a number' };
  }
  if (mask === undefined && issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return { message, hint: `put it in quotes to write a string: "${String(value)}"` };
  }
  return { message };
}

/** The sentence for one issue whose message zod made up, about `value` at `path`. */
function describeDefault(issue: Issue, path: ValuePath, context: IssueContext, mask: string | undefined): Described {
  const { value } = valueAt(context.data, path);
  switch (issue.code) {
    case 'invalid_type':
      return describeInvalidType(issue, path, context, mask);
    case 'invalid_value':
      return {
        message: `expected ${expectedValues(issue.values)}, found ${describeValue(value, mask)}`,
        hint: didYouMean(value, issue.values, mask),
      };
    case 'too_small':
    case 'too_big':
      return { message: boundMessage(issue, value, mask) };
    case 'invalid_format':
      return { message: `expected ${formatNoun(issue)}, found ${describeValue(value, mask)}` };
    case 'not_multiple_of':
      return { message: `expected a multiple of ${issue.divisor}, found ${describeValue(value, mask)}` };
    case 'custom':
      return { message: 'is not valid' };
    case 'invalid_element':
      return { message: 'holds an element that is not valid' };
    default:
      return { message: `is not valid (${issue.code})` };
  }
}

/** Issue codes {@link describeDefault} can put into words better than "is not valid". */
const DESCRIBED_CODES = new Set<string>(['invalid_type', 'invalid_value', 'too_small', 'too_big', 'invalid_format', 'not_multiple_of']);

/** The zod issue codes that mean "this union option is the wrong shape altogether". */
function failsAtRoot(branch: readonly Issue[]): boolean {
  return branch.some((issue) => issue.path.length === 0 && ['invalid_type', 'invalid_value', 'invalid_union'].includes(issue.code));
}

/** What one union option wanted, from its issues at the union's own path. */
function branchExpectations(branch: readonly Issue[]): string[] {
  const out: string[] = [];
  for (const issue of branch) {
    if (issue.path.length !== 0) continue;
    if (issue.code === 'invalid_type') out.push(expectedNoun(issue.expected));
    else if (issue.code === 'invalid_value') out.push(...issue.values.map(literal));
    else if (issue.code === 'invalid_union') out.push(...issue.errors.flatMap(branchExpectations));
  }
  return out;
}

/**
 * Converts one zod issue into problems (several for unknown keys, or for a union option's own
 * issues), each at the line and column of the node it is about.
 */
export function problemsFromIssue(issue: Issue, context: IssueContext): ConfigProblem[] {
  const path = issue.path;
  const located = context.source.locate(path);
  const mask = located.found ? context.maskOf(located.resolved) : undefined;
  const details = markerDetails(issue.message);
  const problem = (at: LocatedNode['node'], problemPath: ValuePath, described: Described): ConfigProblem => {
    const { line, column } = context.source.positionOf(at);
    const out: ConfigProblem = { file: context.file, line, column, path: formatPath(problemPath), message: described.message };
    if (described.hint !== undefined) out.hint = described.hint;
    return out;
  };
  // The deepest existing node: the value itself, or the mapping a missing key belongs in.
  const here = located.node;

  if (details === undefined) {
    const own = context.scrub(issue.message);
    // A refinement's message (or one on a union or object) is the whole story; keep it, minus secrets.
    if (!DESCRIBED_CODES.has(issue.code)) return [problem(here, path, { message: own })];
    // A check with its own message (`.regex(re, 'use lower snake_case')`): say what was expected
    // and found as usual, and let the author's words be the hint.
    return [problem(here, path, { ...describeDefault(issue, path, context, mask), hint: own })];
  }

  if (issue.code === 'unrecognized_keys') {
    const container = context.source.resolve(located.node);
    const present = new Set(Object.keys((valueAt(context.data, path).value ?? {}) as object));
    const known = (details.knownKeys ?? []).filter((key) => !present.has(key));
    return issue.keys.map((key) => {
      const keyLocation = context.source.locate([...path, key]);
      const suggestion = closestMatch(key, known);
      const listed = details.knownKeys ?? [];
      const hint =
        suggestion !== undefined
          ? `did you mean ${JSON.stringify(suggestion)}?`
          : listed.length > 0 && listed.length <= 12
            ? `allowed keys: ${listed.join(', ')}`
            : undefined;
      return problem(keyLocation.found ? keyLocation.keyNode : container, [...path, key], {
        message: `unknown key ${JSON.stringify(key)}`,
        hint,
      });
    });
  }

  if (issue.code === 'invalid_union') {
    return problemsFromUnion(issue, context, located, mask, problem);
  }

  if (issue.code === 'invalid_key') {
    const key = String(path[path.length - 1] ?? '');
    const inner = issue.issues[0];
    const innerDescribed: Described =
      inner === undefined
        ? { message: 'is not allowed' }
        : markerDetails(inner.message) === undefined
          ? { message: context.scrub(inner.message) }
          : describeDefault(inner, [], { ...context, data: key }, undefined);
    return [
      problem(located.found ? located.keyNode : here, path, {
        message: `key ${JSON.stringify(key)} is not valid: ${innerDescribed.message}`,
        hint: innerDescribed.hint,
      }),
    ];
  }

  const described = describeDefault(issue, path, context, mask);
  return [problem(here, path, described)];
}

function problemsFromUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  context: IssueContext,
  located: LocatedNode,
  mask: string | undefined,
  problem: (at: LocatedNode['node'], path: ValuePath, described: Described) => ConfigProblem,
): ConfigProblem[] {
  const path = issue.path;
  const { exists, value } = valueAt(context.data, path);
  const union = issue as { discriminator?: string; options?: unknown[]; inclusive?: boolean };

  // A discriminated union whose tag matched no option; zod puts the tag's key on the path.
  if (union.discriminator !== undefined && union.options !== undefined) {
    const options = union.options;
    if (!exists) {
      return [problem(located.node, path, {
        message: `required key ${JSON.stringify(union.discriminator)} is missing`,
        hint: `set it to ${expectedValues(options)}`,
      })];
    }
    return [problem(located.node, path, {
      message: `expected ${expectedValues(options)}, found ${describeValue(value, mask)}`,
      hint: didYouMean(value, options, mask),
    })];
  }

  if (union.inclusive === false) {
    return [problem(located.node, path, { message: 'matches more than one of the allowed forms; make it match exactly one' })];
  }

  // Prefer an option that fits the value's shape and report its own issues, which are specific.
  const branches = issue.errors;
  const plausible = branches.filter((branch) => !failsAtRoot(branch));
  if (plausible.length > 0) {
    // Fewest issues wins; on a tie, the option the value already has more keys of.
    const missing = (branch: readonly Issue[]): number =>
      branch.filter((inner) => inner.code === 'invalid_type' && !valueAt(context.data, [...path, ...inner.path]).exists).length;
    const best = plausible.reduce((a, b) => (b.length < a.length || (b.length === a.length && missing(b) < missing(a)) ? b : a));
    const problems = best.flatMap((inner) => problemsFromIssue({ ...inner, path: [...path, ...inner.path] } as Issue, context));
    // `timeout: 5 minutes` against number | duration string: say that a number would do too.
    const otherForms = [...new Set(branches.filter((branch) => failsAtRoot(branch)).flatMap(branchExpectations))];
    const [only] = problems;
    if (problems.length === 1 && only !== undefined && only.hint === undefined && otherForms.length > 0) {
      only.hint = `or write ${alternatives(otherForms)}`;
    }
    return problems;
  }
  const expected = [...new Set(branches.flatMap(branchExpectations))];
  const literals = expected.filter((item) => item.startsWith('"'));
  const others = expected.filter((item) => !item.startsWith('"'));
  const parts = [...others, ...(literals.length > 1 ? [`one of ${literals.join(', ')}`] : literals)];
  const candidates = literals.map((item) => JSON.parse(item) as string);
  return [problem(located.node, path, {
    message: `expected ${alternatives(parts)}, found ${describeTyped(value, mask)}`,
    hint: didYouMean(value, candidates, mask),
  })];
}
