/**
 * `${VAR}` interpolation in configuration strings. Runs on parsed scalar values, never on the raw
 * file, so a variable's value can only ever become (part of) one string: it cannot add keys.
 */

/** Where a variable's value comes from; `readConfigEnv` in production, a map in tests. */
export type EnvLookup = (name: string) => string | undefined;

export interface Interpolation {
  /** The string with every reference replaced (missing variables become the empty string). */
  value: string;
  /** True when the text held at least one `${…}` reference. */
  interpolated: boolean;
  /** Variables referenced without a default that are not set. */
  missing: string[];
  /** References that are not `${NAME}` or `${NAME:-default}`, as written. */
  malformed: string[];
  /** Values read from the environment (not defaults), to be kept out of error messages. */
  secrets: Array<{ name: string; value: string }>;
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([^]*))?$/;

/**
 * Replaces `${VAR}` with the variable's value and `${VAR:-default}` with the value, or with the
 * default when the variable is unset or empty (as in a POSIX shell). `$${` stands for a literal
 * `${`. A set-but-empty variable referenced as `${VAR}` is the empty string, not missing.
 */
export function interpolate(text: string, env: EnvLookup): Interpolation {
  const result: Interpolation = { value: '', interpolated: false, missing: [], malformed: [], secrets: [] };
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    result.interpolated = true;
    const end = text.indexOf('}', i + 2);
    const reference = end === -1 ? undefined : REFERENCE.exec(text.slice(i + 2, end));
    if (end === -1 || reference == null) {
      result.malformed.push(end === -1 ? text.slice(i) : text.slice(i, end + 1));
      out += end === -1 ? text.slice(i) : text.slice(i, end + 1);
      i = end === -1 ? text.length : end + 1;
      continue;
    }
    const name = reference[1] ?? '';
    const fallback = reference[2];
    const value = env(name);
    if (fallback !== undefined && (value === undefined || value === '')) {
      out += fallback;
    } else if (value === undefined) {
      result.missing.push(name);
    } else {
      out += value;
      if (value !== '') result.secrets.push({ name, value });
    }
    i = end + 1;
  }
  result.value = out;
  return result;
}

/**
 * How an unquoted YAML scalar would have been typed had the value been written in the file (YAML
 * 1.2 core schema: booleans, integers, floats, null), so `port: ${PORT}` gives a number. Anything
 * else stays a string; no structure is ever parsed.
 */
export function resolvePlainScalar(text: string): string | number | boolean | null {
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^(?:~|null|Null|NULL)$/.test(text)) return null;
  if (/^[-+]?[0-9]+$/.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : text;
  }
  if (/^0o[0-7]+$/.test(text)) return Number.parseInt(text.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(text)) return Number.NaN;
  return text;
}
