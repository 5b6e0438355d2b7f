import { UserError, type ErrorCode } from '../errors.js';

/** What went wrong, which decides the error code when it is the only kind of problem. */
export type ConfigProblemKind = 'yaml' | 'env' | 'schema';

/** One thing wrong with a configuration file, located precisely enough to jump to it. */
export interface ConfigProblem {
  /** The file as the user named it. */
  file: string;
  /** 1-based line of the offending node. */
  line: number;
  /** 1-based column of the offending node. */
  column: number;
  /** Dotted path to the value, e.g. `streams[2].window.size`; empty for the whole document. */
  path: string;
  /** What was expected and what was found, as a sentence fragment. */
  message: string;
  /** How to fix it, when there is something better to say than the message. */
  hint?: string;
  /** `yaml` for syntax, `env` for a missing variable, `schema` (the default) for everything else. */
  kind?: ConfigProblemKind;
}

const CODE_BY_KIND: Record<ConfigProblemKind, ErrorCode> = {
  yaml: 'CONFIG_YAML',
  env: 'CONFIG_ENV_MISSING',
  schema: 'CONFIG_INVALID',
};

/** `file:line:column  path: message (hint)`, leaving out the parts a problem does not have. */
export function formatConfigProblem(problem: ConfigProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  const what = problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
  return problem.hint === undefined ? `${where}  ${what}` : `${where}  ${what} (${problem.hint})`;
}

/** Sorts by file, then position, so problems read top to bottom like the file. */
export function compareConfigProblems(a: ConfigProblem, b: ConfigProblem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column;
}

/**
 * Every problem found in one or more configuration files, thrown once. The code is
 * `CONFIG_YAML` or `CONFIG_ENV_MISSING` when all problems are of that kind, else `CONFIG_INVALID`.
 */
export class ConfigError extends UserError {
  readonly problems: ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const sorted = [...problems].sort(compareConfigProblems);
    const kinds = new Set(sorted.map((problem) => problem.kind ?? 'schema'));
    const [onlyKind] = kinds;
    const code = kinds.size === 1 && onlyKind !== undefined ? CODE_BY_KIND[onlyKind] : 'CONFIG_INVALID';
    super(code, sorted.map(formatConfigProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = sorted;
  }
}
