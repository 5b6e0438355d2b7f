/**
 * Compiles the contract's field specs into one set-based DuckDB query that validates every
 * record of an input relation in a single pass: one JSON parse per record, type checks from the
 * first character of each JSON value (a second parse only for a string field's text that could be
 * another kind, see readAsText), and the list of reasons built only for records that fail (the
 * fast path is one boolean per record).
 *
 * Input relation columns: `raw VARCHAR` (the record's text), `origin VARCHAR`, `ordinal BIGINT`.
 * Output: the envelope, every data field as a typed column, `_table`, `reasons VARCHAR[]`
 * (empty when valid) and `raw` (kept only for rejected records).
 */
import { ident, literal, literalList } from '../duckdb/sql.js';
import { ENVELOPE_FIELDS, ENVELOPE_KEYS, type EventTypeSpec, type FieldKind, type FieldSpec } from './field-spec.js';

export interface ReferenceCodes {
  countries: readonly string[];
  currencies: readonly string[];
  /** Minor units per currency code, for the decimal-places rule; absent codes allow 2. */
  currencyDecimals: ReadonlyMap<string, number>;
}

/** The SQL type that stores each field kind in the lake. */
export const SQL_TYPE: Record<FieldKind, string> = {
  string: 'VARCHAR',
  number: 'DOUBLE',
  integer: 'BIGINT',
  decimal: 'DECIMAL(18,4)',
  boolean: 'BOOLEAN',
  string_array: 'VARCHAR[]',
};

/** The union of data fields over all types: one typed column per field name. */
export function dataColumns(types: readonly EventTypeSpec[]): Map<string, FieldKind> {
  const columns = new Map<string, FieldKind>();
  for (const spec of types) {
    for (const field of spec.fields) {
      const known = columns.get(field.name);
      if (known !== undefined && known !== field.kind) {
        throw new Error(`data field "${field.name}" is ${known} in one type and ${field.kind} in ${spec.type} v${spec.version}`);
      }
      columns.set(field.name, field.kind);
    }
  }
  return columns;
}

// ---- Layered columns per field -------------------------------------------------------------
// Each field gets four columns computed once: the JSON leaf `<p>_v` (NULL when missing or null;
// for a field read as text, the text), its first character's code point `<p>_k` (the JSON kind:
// 34 '"' string, a digit or 45 '-' number, 91 '[' array…; ord() reads one character where
// left() cost three times as much), the decoded string `<p>_s` and the typed value `<p>_t`.
// Checks refer to these columns, which keeps the SQL small enough for DuckDB to plan quickly.

interface FieldColumns {
  v: string;
  k: string;
  /** Present and of the field's kind: computed once, guards every value rule of the field. */
  ok: string;
  /** For date-time fields: the parsed TIMESTAMPTZ, computed once. */
  ts: string;
  s: string;
  t: string;
}

function columnsFor(prefix: string): FieldColumns {
  return { v: ident(`${prefix}_v`), k: ident(`${prefix}_k`), s: ident(`${prefix}_s`), t: ident(`${prefix}_t`), ok: ident(`${prefix}_ok`), ts: ident(`${prefix}_ts`) };
}

// No `x IN (a, b, c, …)`: DuckDB rewrites IN-lists of five or more constants into hash joins,
// one per occurrence, which makes a plan of hundreds of joins. Lists use list_contains; code
// lists use a regular expression alternation (RE2 matches them in one DFA pass).
const QUOTE = 34; // "
const MINUS = 45; // -
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const BRACKET = 91; // [
const isNumberStart = (k: string) => `(${k} = ${MINUS} OR (${k} >= ${DIGIT_0} AND ${k} <= ${DIGIT_9}))`;
const inList = (expression: string, values: readonly string[]) => `list_contains(${literalList(values)}, ${expression})`;
const inCodes = (expression: string, codes: readonly string[]) => `regexp_full_match(${expression}, ${literal(codes.join('|'))})`;
const isStringCol = (c: FieldColumns) => `(${c.k} = ${QUOTE})`;
const isNumberCol = (c: FieldColumns) => isNumberStart(c.k);
const isBooleanCol = (c: FieldColumns) => `(${c.v} IN ('true', 'false'))`;
const isArrayCol = (c: FieldColumns) => `(${c.k} = ${BRACKET})`;

/** The decoded string of a JSON string value; escapes are decoded only when there are any. */
function stringValueSql(v: string, k: string): string {
  return `CASE WHEN ${k} = ${QUOTE} THEN (CASE WHEN contains(${v}, '\\') THEN ${v} ->> '$' ELSE (${v}::VARCHAR)[2:-2] END) END`;
}

/** Text of a decimal field: a JSON number's text, or the content of a JSON string. */
function decimalTextSql(v: string, k: string): string {
  // Every branch is VARCHAR: a JSON-typed branch would make DuckDB cast the strings back to JSON.
  return `CASE WHEN ${k} = ${QUOTE} THEN (CASE WHEN contains(${v}, '\\') THEN ${v} ->> '$' ELSE (${v}::VARCHAR)[2:-2] END) WHEN ${isNumberStart(k)} THEN ${v}::VARCHAR END`;
}

function typedValueSql(kind: FieldKind, c: FieldColumns): string {
  switch (kind) {
    case 'string': return c.s;
    case 'number': return `CASE WHEN ${isNumberCol(c)} THEN TRY_CAST(${c.v} AS DOUBLE) END`;
    case 'integer': return `CASE WHEN ${isNumberCol(c)} THEN TRY_CAST(TRY_CAST(${c.v} AS DOUBLE) AS BIGINT) END`;
    case 'decimal': return `TRY_CAST(${c.s} AS DECIMAL(18,4))`;
    case 'boolean': return `CASE WHEN ${isBooleanCol(c)} THEN ${c.v} = 'true' END`;
    case 'string_array': return `CASE WHEN ${isArrayCol(c)} THEN TRY(from_json(${c.v}, '["VARCHAR"]')) END`;
  }
}

const foundKind = (c: FieldColumns) =>
  `(CASE WHEN ${isStringCol(c)} THEN 'a string' WHEN ${isNumberCol(c)} THEN 'a number' WHEN ${isBooleanCol(c)} THEN 'a boolean' WHEN ${isArrayCol(c)} THEN 'an array' ELSE 'an object' END)`;

const EXPECTED: Record<FieldKind, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  decimal: 'a number or a decimal string',
  boolean: 'a boolean',
  string_array: 'an array of strings',
};

function hasKindSql(kind: FieldKind, c: FieldColumns): string {
  switch (kind) {
    case 'string': return isStringCol(c);
    case 'number': return isNumberCol(c);
    case 'integer': return `(${isNumberCol(c)} AND TRY_CAST(${c.v} AS DOUBLE) = floor(TRY_CAST(${c.v} AS DOUBLE)))`;
    case 'decimal': return `(${isNumberCol(c)} OR (${isStringCol(c)} AND regexp_full_match(${c.s}, '-?[0-9]+(\\.[0-9]+)?')))`;
    case 'boolean': return isBooleanCol(c);
    case 'string_array':
      return `(${isArrayCol(c)} AND coalesce(list_bool_and(list_transform(TRY(from_json(${c.v}, '["JSON"]')), e -> coalesce(left(e, 1) = '"', false))), true))`;
  }
}

const IPV4 = '((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV6 =
  '(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|' +
  '([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|' +
  '([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|' +
  '[0-9a-fA-F]{1,4}:(:[0-9a-fA-F]{1,4}){1,6}|:((:[0-9a-fA-F]{1,4}){1,7}|:)|' +
  '::(ffff(:0{1,4})?:)?' + IPV4 + '|([0-9a-fA-F]{1,4}:){1,4}:' + IPV4 + ')';
const RFC3339 = '[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])';

/** One rule: when `violated` holds, the record is rejected with `message` (a SQL string expression). */
interface Check {
  violated: string;
  message: string;
}

/**
 * A field's checks (each with its reason, for rejected records) and `passes`: true exactly when
 * none of them is violated, written as one conjunction (a valid record is judged by it alone,
 * without the coalesce of every check).
 */
function fieldChecks(field: FieldSpec, c: FieldColumns, path: string, codes: ReferenceCodes, sibling: (name: string) => FieldColumns): { checks: Check[]; passes: string } {
  const checks: Check[] = [];
  const present = `(${c.v} IS NOT NULL)`;
  const at = (text: string) => literal(`${path}: ${text}`);
  let exempt: string | undefined;
  if (field.required === true) {
    checks.push({ violated: `NOT ${present}`, message: at('required field is missing') });
  } else if (field.required !== false) {
    const other = sibling(field.required.unlessField);
    exempt = `coalesce(${inList(other.s, field.required.in)}, false)`;
    checks.push({
      violated: `(NOT ${present} AND NOT ${exempt})`,
      message: at(`required unless ${field.required.unlessField} is ${field.required.in.join(' or ')}`),
    });
  }
  const found = field.kind === 'string_array' ? `CASE WHEN ${isArrayCol(c)} THEN 'an array with an item that is not a string' ELSE ${foundKind(c)} END` : foundKind(c);
  checks.push({
    violated: `(${present} AND NOT ${c.ok})`,
    message: `${at(`expected ${EXPECTED[field.kind]}, found `)} || ${found}`,
  });
  // Value rules apply only when the value has the right kind (the kind check reports otherwise).
  const typed = c.ok;
  const rulesHold: string[] = [];
  const rule = (condition: string, message: string) => {
    checks.push({ violated: `(${typed} AND coalesce(${condition}, false))`, message });
    rulesHold.push(`NOT coalesce(${condition}, false)`);
  };
  const foundValue = (text: string) => `${at(`${text}, found "`)} || ${c.s} || '"'`;
  if (field.enum) rule(`NOT ${inList(c.s, field.enum)}`, foundValue(`expected one of ${field.enum.join(', ')}`));
  if (field.minLength !== undefined) rule(`length(${c.s}) < ${field.minLength}`, at(`must have at least ${field.minLength} character${field.minLength === 1 ? '' : 's'}`));
  if (field.maxLength !== undefined) rule(`length(${c.s}) > ${field.maxLength}`, `${at(`must have at most ${field.maxLength} characters, found `)} || length(${c.s})`);
  if (field.pattern !== undefined) rule(`NOT regexp_full_match(${c.s}, ${literal(field.pattern)})`, foundValue(`must match ${field.pattern}`));
  if (field.minimum !== undefined) rule(`${c.t} < ${field.minimum}`, `${at(`must be at least ${field.minimum}, found `)} || ${c.t}`);
  if (field.maximum !== undefined) rule(`${c.t} > ${field.maximum}`, `${at(`must be at most ${field.maximum}, found `)} || ${c.t}`);
  if (field.kind === 'decimal') {
    // Money in exponent notation (5e-7) would slip past the decimals rule: ask for plain notation.
    rule(`NOT regexp_full_match(${c.s}, '-?[0-9]+(\\.[0-9]+)?')`, foundValue('must be written in plain decimal notation such as 12.50'));
    rule(`${c.t} IS NULL AND regexp_full_match(${c.s}, '-?[0-9]+(\\.[0-9]+)?')`, at('is out of range for DECIMAL(18,4)'));
  }
  if (field.kind === 'integer') rule(`${c.t} IS NULL`, at('is out of range for BIGINT'));
  // DECIMAL(18,4) would round a 5th decimal away; with a currency field its rule below is stricter.
  if (field.kind === 'decimal' && field.decimalsOfCurrencyField === undefined) {
    rule(`length(split_part(${c.s}, '.', 2)) > 4`, at('has more than 4 decimals, the precision of DECIMAL(18,4)'));
  }
  switch (field.format) {
    case 'country':
      rule(`NOT ${inCodes(c.s, codes.countries)}`, foundValue('expected an ISO 3166-1 alpha-2 country code'));
      break;
    case 'currency':
      rule(`NOT ${inCodes(c.s, codes.currencies)}`, foundValue('expected an ISO 4217 currency code'));
      break;
    case 'mcc':
      rule(`NOT regexp_full_match(${c.s}, '[0-9]{4}')`, foundValue('expected a 4-digit merchant category code'));
      break;
    case 'ip':
      rule(`NOT regexp_full_match(${c.s}, ${literal(IPV4)}) AND NOT regexp_full_match(${c.s}, ${literal(IPV6)})`, foundValue('expected an IPv4 or IPv6 address'));
      break;
    case 'date-time':
      rule(`NOT regexp_full_match(${c.s}, ${literal(RFC3339)}) OR ${c.ts} IS NULL`, foundValue('expected an RFC 3339 time with offset such as 2026-11-25T18:00:00.123+01:00'));
      break;
    default:
      break;
  }
  if (field.decimalsOfCurrencyField !== undefined) {
    const decimals = currencyDecimalsSql(sibling(field.decimalsOfCurrencyField).s, codes);
    rule(`length(split_part(${c.s}, '.', 2)) > ${decimals}`, `${at('has more decimals than its currency allows (')} || ${decimals} || ')'`);
  }
  // `ok` is present and of the right kind, never NULL; the rules hold only where it is true.
  const holds = [c.ok, ...rulesHold].join(' AND ');
  const passes = field.required === true ? `(${holds})`
    : exempt !== undefined ? `(CASE WHEN ${c.v} IS NULL THEN ${exempt} ELSE (${holds}) END)`
    : `(${c.v} IS NULL OR (${holds}))`;
  return { checks, passes };
}

/** The JSON structure passed to from_json: text fields as VARCHAR (readAsText), every other value as its JSON leaf. */
function parseStructure(columns: Map<string, FieldKind>, text: { envelope: Set<string>; data: Set<string> }): string {
  const data = Object.fromEntries([...columns.keys()].map((name) => [name, text.data.has(name) ? 'VARCHAR' : 'JSON']));
  const envelope = Object.fromEntries(ENVELOPE_FIELDS.map((field) => [field.name, text.envelope.has(field.name) ? 'VARCHAR' : 'JSON']));
  return JSON.stringify({ ...envelope, data });
}

/**
 * A text value that a JSON number, boolean, object or array could also have given when DuckDB's
 * typed parse read it as VARCHAR (`12`, `-0.5`, `1e+20`, `NaN`, `inf`, `true`, `{"a":1}`, `[1]`):
 * one that is itself valid JSON. The first character settles most strings with an integer
 * comparison (past '9', only I N [ f i n t { start a JSON value other than a string);
 * `json_valid` fails fast on the rest ("2026-11-25T…", "10.0.0.1"), where a failed TRY_CAST to
 * DOUBLE cost three times as much. Like `from_json`, `json_type` reads the first of repeated keys.
 */
function textMayNotBeString(value: string): string {
  // A list, not IN: see inList.
  return `(CASE WHEN ord(${value}) <= 57 OR list_contains([73, 78, ${BRACKET}, 102, 105, 110, 116, 123], ord(${value})) THEN json_valid(${value}) ELSE false END)`;
}

/**
 * Whether a string field is read by DuckDB's typed parse as text instead of as a JSON leaf. The
 * leaf is written back out as JSON and its quotes sliced off; the text is the decoded string
 * itself. The typed parse turns a number, boolean, object or array into text too, so a text that
 * could be one of those (`textMayNotBeString`) has its kind asked of the record again
 * (`json_type`, a second parse). Only fields whose rules confine them to words, codes, times or
 * addresses are read as text (an enum, a country or currency code, an RFC 3339 time, an IP
 * address): their valid values never read as JSON, so the second parse is for invalid records
 * only. Free-form strings (ids, names) stay leaves: numeric ids are common, and each would cost
 * a second parse (measured: numeric account, customer and merchant ids made the pass 10% slower
 * than with leaves).
 */
function readAsText(field: FieldSpec): boolean {
  const mayReadAsNumber = (value: string) => /^[-+]?(\.?[0-9]|nan|inf)|^[[{]|^(true|false)$/i.test(value);
  const confined = field.enum !== undefined ? !field.enum.some(mayReadAsNumber) : field.format !== undefined && field.format !== 'mcc';
  return field.kind === 'string' && field.pattern === undefined && confined;
}

/**
 * String fields that `readAsText` leaves as JSON leaves (ids, names, codes with a pattern), by
 * output column and the path of their reasons (`id`, `data.account_id`): a caller that has seen a
 * batch's first records can have them read as text all the same (`ValidationOptions.textRead`).
 */
export function freeFormStringFields(types: readonly EventTypeSpec[]): { column: string; path: string }[] {
  const fields = [
    ...ENVELOPE_FIELDS.filter((field) => field.kind === 'string' && !readAsText(field)).map((field) => ({ column: field.name, path: field.name })),
    ...types.flatMap((spec) => spec.fields).filter((field) => field.kind === 'string' && !readAsText(field)).map((field) => ({ column: field.name, path: `data.${field.name}` })),
  ];
  return fields.filter((field, index) => fields.findIndex((other) => other.path === field.path) === index);
}

/**
 * Share of a batch's first records whose value of a free-form string field may itself be valid
 * JSON (a numeric id), at most, for the field to be read as text: each such value costs a second
 * parse (about 1 µs), where reading the field as a JSON leaf costs about 0.1 µs for every value.
 */
const TEXT_READ_MAX_JSON_SHARE = 0.02;

/**
 * The choice of `textRead` from a sample: SQL select items counting, per free-form string field of
 * `types`, the sample's values that are valid JSON (`valueOf` gives the field's text as SQL), and
 * the fields to read as text from a row of those counts with the sample's size in `n`.
 */
export function textReadChoice(types: readonly EventTypeSpec[], valueOf: (field: { column: string; path: string }) => string): { items: string; choose: (row: Record<string, unknown>) => string[] } {
  const fields = freeFormStringFields(types);
  return {
    items: fields.map((field, index) => `, count(*) FILTER (WHERE json_valid(${valueOf(field)})) AS _json_${index}`).join(''),
    choose: (row) => fields.filter((_, index) => Number(row[`_json_${index}`] ?? Infinity) <= Number(row.n ?? 0) * TEXT_READ_MAX_JSON_SHARE).map((field) => field.path),
  };
}

/** Envelope and data fields read as text, by output column (a data column only when every type agrees). */
function textFields(types: readonly EventTypeSpec[], textRead: ReadonlySet<string>): { envelope: Set<string>; data: Set<string> } {
  const data = new Set<string>();
  const notText = new Set<string>();
  const asText = (field: FieldSpec, path: string) => readAsText(field) || (field.kind === 'string' && textRead.has(path));
  for (const field of types.flatMap((spec) => spec.fields)) (asText(field, `data.${field.name}`) ? data : notText).add(field.name);
  for (const name of notText) data.delete(name);
  return { envelope: new Set(ENVELOPE_FIELDS.filter((field) => asText(field, field.name)).map((field) => field.name)), data };
}

/** The code of `ord` for the JSON kind `json_type` names (only the first character matters, see FieldColumns). */
function kindOfText(raw: string, jsonPath: string, text: string): string {
  return `(CASE json_type(${raw}, ${literal(jsonPath)}) WHEN 'VARCHAR' THEN ${QUOTE} ELSE ord(${text}) END)`;
}

export interface ValidationQuery {
  /** SELECT over the input relation producing the checked relation. */
  sql: string;
  /** Data columns with kinds, in output order. */
  dataColumns: Map<string, FieldKind>;
}

const envelopeColumns = (name: string) => columnsFor(`e_${name}`);
const dataFieldColumns = (name: string) => columnsFor(`d_${name}`);

export interface ValidationOptions {
  /** Further output columns, by name, computed from the input's columns (SQL expressions). */
  keep?: Readonly<Record<string, string>>;
  /**
   * Expect records that are not JSON at all (default true): each record is checked with
   * json_valid before the parse (see below). The fast path, taken only for a batch whose first
   * records all passed, leaves the check out: it cost 4-5% of its pass on clean input.
   */
  malformedExpected?: boolean;
  /**
   * Further string fields to read as text, by path (`freeFormStringFields`). The outcome is the
   * same either way (see readAsText); the cost is not: a text whose value is itself valid JSON
   * (a numeric id) costs a second parse, a JSON leaf costs decoding. A batch whose first records
   * show a field's values are rarely valid JSON reads it as text (direct-write.ts, `tablesOf`):
   * with the generator's ids, 7% less time for the fast path.
   */
  textRead?: readonly string[];
}

/** Builds the validation query for a set of event types over a relation named `inputRelation`. */
export function compileValidation(types: readonly EventTypeSpec[], codes: ReferenceCodes, inputRelation: string, options: ValidationOptions = {}): ValidationQuery {
  const keep = options.keep ?? {};
  const columns = dataColumns(types);
  const text = textFields(types, new Set(options.textRead ?? []));
  const jsonPath = (...keys: string[]) => `$.${keys.map((key) => JSON.stringify(key)).join('.')}`;
  const fields: { c: FieldColumns; leaf: string; kind: FieldKind; text: boolean; path: string }[] = [
    ...ENVELOPE_FIELDS.map((field) => ({ c: envelopeColumns(field.name), leaf: `_j.${ident(field.name)}`, kind: field.kind, text: text.envelope.has(field.name), path: jsonPath(field.name) })),
    ...[...columns].map(([name, kind]) => ({ c: dataFieldColumns(name), leaf: `_j.data.${ident(name)}`, kind, text: text.data.has(name), path: jsonPath('data', name) })),
  ];
  const type = envelopeColumns('type');
  const dateTimeFields = [
    ...ENVELOPE_FIELDS.filter((field) => field.format === 'date-time').map((field) => ({ c: envelopeColumns(field.name) })),
    ...types.flatMap((spec) => spec.fields).filter((field) => field.format === 'date-time').map((field) => ({ c: dataFieldColumns(field.name) })),
  ].filter((field, index, all) => all.findIndex((other) => other.c.ts === field.c.ts) === index);
  const version = envelopeColumns('version');

  const envelope = ENVELOPE_FIELDS.map((field) => fieldChecks(field, envelopeColumns(field.name), field.name, codes, envelopeColumns));
  const envelopeChecks: Check[] = envelope.flatMap((field) => field.checks);
  const knownTypes = [...new Set(types.map((spec) => spec.type))];
  const versionsOf = (name: string) => types.filter((spec) => spec.type === name).map((spec) => spec.version);
  const typeChecks: Check[] = [
    {
      violated: `(NOT ${inList(type.s, knownTypes)})`,
      message: `'type: unknown event type "' || ${type.s} || '" (known: ${knownTypes.join(', ')})'`,
    },
    {
      violated: `(${inList(type.s, knownTypes)} AND ${isNumberCol(version)} AND NOT ${inList('_type_key', types.map((spec) => `${spec.type}@${spec.version}`))})`,
      message: `'version: ' || ${type.s} || ' version ' || ${version.v} || ' is not declared in this workspace (known: ' || CASE ${type.s} ${knownTypes.map((name) => `WHEN ${literal(name)} THEN ${literal(versionsOf(name).join(', '))}`).join(' ')} END || ')'`,
    },
    { violated: '(_j.data IS NULL)', message: `'data: required object is missing'` },
  ];
  // A non-object `data` parses as a struct of NULLs: cheap to miss, costly to detect (a second
  // parse), so it is checked on the slow path, and on the fast path only for types whose fields
  // are all optional (where no required-field check would catch it).
  const dataNotObject: Check = {
    violated: `(_j.data IS NOT NULL AND json_type(raw, '$.data') <> 'OBJECT')`,
    message: `'data: expected an object, found ' || CASE json_type(raw, '$.data') WHEN 'VARCHAR' THEN 'a string' WHEN 'ARRAY' THEN 'an array' WHEN 'BOOLEAN' THEN 'a boolean' ELSE 'a number' END`,
  };
  const perType = types.map((spec) => {
    const fieldsOfType = spec.fields.map((field) => fieldChecks(field, dataFieldColumns(field.name), `data.${field.name}`, codes, dataFieldColumns));
    const checks = fieldsOfType.flatMap((field) => field.checks);
    const passes = fieldsOfType.map((field) => field.passes);
    if (!spec.fields.some((field) => field.required === true)) {
      checks.unshift(dataNotObject);
      passes.unshift(`NOT coalesce(${dataNotObject.violated}, false)`);
    }
    return { key: `${spec.type}@${spec.version}`, table: spec.table, checks, passes: passes.length === 0 ? 'true' : passes.join(' AND ') };
  });

  const anyViolated = (checks: Check[]) => (checks.length === 0 ? 'false' : checks.map((check) => `coalesce(${check.violated}, false)`).join(' OR '));
  const messages = (checks: Check[]) => checks.map((check) => `CASE WHEN coalesce(${check.violated}, false) THEN ${check.message} END`);
  const typeCase = (render: (entry: (typeof perType)[number]) => string, otherwise: string) =>
    `CASE _type_key ${perType.map((entry) => `WHEN ${literal(entry.key)} THEN ${render(entry)}`).join(' ')} ELSE ${otherwise} END`;

  // The same verdict as "no check violated", as conjunctions of each field's `passes`.
  const okExpression = `(NOT (${anyViolated(typeChecks)}) AND ${envelope.map((field) => field.passes).join(' AND ')} AND ${typeCase((entry) => `(${entry.passes})`, 'false')})`;
  const reasonsExpression = `list_filter([${[
    ...messages([...envelopeChecks, ...typeChecks, dataNotObject]),
    ...perType.flatMap((entry) => messages(entry.checks.filter((check) => check !== dataNotObject)).map((message) => `CASE WHEN _type_key = ${literal(entry.key)} THEN ${message} END`)),
  ].join(',\n      ')}], r -> r IS NOT NULL)`;

  const knownKeys = literalList(ENVELOPE_KEYS);
  const extraKeys = `list_filter(json_keys(raw), k -> NOT list_contains(${knownKeys}, k))`;
  // A valid record has every required key; when it has no more keys than the known ones it
  // holds, it has no unknown key, and the filter above (a lambda per key) is not run.
  const requiredKeys = ENVELOPE_FIELDS.filter((field) => field.required === true).length + 1; // + data
  const knownPresent = [String(requiredKeys), ...ENVELOPE_FIELDS.filter((field) => field.required !== true).map((field) => `(${envelopeColumns(field.name).v} IS NOT NULL)::INTEGER`)].join(' + ');
  // A record that does not parse makes from_json throw, and TRY then evaluates the whole vector
  // again row by row: with a few malformed records in every 2,048 (a file with 15% bad records),
  // validation took 15.2 CPU s per million records instead of 5.4. json_valid sends only the
  // records that do not parse to the TRY (a TRY around every record cost 8% on clean input;
  // json_valid itself 4-5% of the fast path's pass, which therefore goes without it).
  // from_json into VARCHAR and JSON leaves does not throw on a document json_valid accepts
  // (fuzzed: numbers past double range, NaN, escapes, repeated keys, 5,000 levels of nesting), and
  // for the others the result is TRY's, as before.
  const structure = literal(parseStructure(columns, text));
  const parseSql = options.malformedExpected === false
    ? `TRY(from_json(raw, ${structure}))`
    : `CASE WHEN json_valid(raw) THEN from_json(raw, ${structure}) ELSE TRY(from_json(raw, ${structure})) END`;
  // Columns the caller computes from the input (`keep`): carried through to the output.
  const kept = Object.keys(keep).map((name) => `${ident(name)}, `).join('');
  const sql = `
WITH _parsed AS (
  SELECT raw, origin, ordinal, ${Object.entries(keep).map(([name, expression]) => `${expression} AS ${ident(name)}, `).join('')}${parseSql} AS _j FROM ${inputRelation}
),
_leaves AS (
  SELECT raw, origin, ordinal, ${kept}_j, ${fields.map((f) => `${f.leaf} AS ${f.c.v}`).join(', ')} FROM _parsed
),
_kinds AS (
  SELECT *, ${fields.map((f) => `${f.text ? `CASE WHEN ${f.c.v} IS NULL THEN NULL WHEN NOT ${textMayNotBeString(f.c.v)} THEN ${QUOTE} ELSE ${kindOfText('raw', f.path, f.c.v)} END` : `ord(${f.c.v})`} AS ${f.c.k}`).join(', ')} FROM _leaves
),
_strings AS (
  SELECT *, ${fields.filter((f) => f.kind === 'string' || f.kind === 'decimal').map((f) => `${f.text ? `CASE WHEN ${f.c.k} = ${QUOTE} THEN ${f.c.v} END` : f.kind === 'decimal' ? decimalTextSql(f.c.v, f.c.k) : stringValueSql(f.c.v, f.c.k)} AS ${f.c.s}`).join(', ')} FROM _kinds
),
_values AS (
  SELECT *, ${fields.filter((f) => f.kind !== 'string').map((f) => `${typedValueSql(f.kind, f.c)} AS ${f.c.t}`).join(', ')},
         ${type.s} || '@' || coalesce(${typedValueSql('integer', version)}::VARCHAR, ${version.v}::VARCHAR, '') AS _type_key
  FROM _strings
),
_guards AS (
  SELECT *, ${fields.map((f) => `coalesce(${f.c.v} IS NOT NULL AND ${hasKindSql(f.kind, f.c)}, false) AS ${f.c.ok}`).join(', ')}${dateTimeFields.length > 0 ? ', ' : ''}${dateTimeFields.map((f) => `TRY_CAST(${f.c.s} AS TIMESTAMPTZ) AS ${f.c.ts}`).join(', ')}
  FROM _values
),
_checked AS (
  SELECT *,
    CASE
      WHEN _j IS NULL THEN ['invalid JSON: the record does not parse']
      WHEN NOT starts_with(raw, '{') AND left(ltrim(raw), 1) <> '{' THEN ['expected a JSON object']
      WHEN ${okExpression} THEN []::VARCHAR[]
      ELSE ${reasonsExpression}
    END AS reasons
  FROM _guards
)
SELECT
  ordinal, origin, ${kept}
  ${envelopeColumns('id').s} AS id,
  ${type.s} AS "type",
  ${version.t} AS version,
  ${envelopeColumns('occurred_at').ts} AS occurred_at,
  ${envelopeColumns('source').s} AS source,
  ${envelopeColumns('trace_id').s} AS trace_id,
  CASE WHEN len(reasons) = 0 AND len(json_keys(raw)) > ${knownPresent} AND len(${extraKeys}) > 0
       THEN to_json(map_from_entries(list_transform(${extraKeys}, k -> {'k': k, 'v': json_extract(raw, '$.' || to_json(k)::VARCHAR)})))::VARCHAR
  END AS extra,
  ${[...columns].map(([name, kind]) => `${kind === 'string' ? dataFieldColumns(name).s : dataFieldColumns(name).t} AS ${ident(name)}`).join(',\n  ')},
  ${typeCase((entry) => literal(entry.table), 'NULL')} AS _table,
  reasons,
  CASE WHEN len(reasons) > 0 THEN raw END AS raw
FROM _checked`;
  return { sql, dataColumns: columns };
}

/** Minor units of the currency in a SQL string expression; 2 unless the reference says otherwise. */
function currencyDecimalsSql(currency: string, codes: ReferenceCodes): string {
  const unusual = [...codes.currencyDecimals].filter(([, decimals]) => decimals !== 2);
  if (unusual.length === 0) return '2';
  return `(CASE ${currency} ${unusual.map(([code, decimals]) => `WHEN ${literal(code)} THEN ${decimals}`).join(' ')} ELSE 2 END)`;
}
