/**
 * A job's `command`: the words after `analytics`, written as one string (`etl run warehouse`,
 * quotes group words: `query "SELECT 1"`) or as a YAML list (`[check, --junit, reports/checks.xml]`).
 * The first word or words must name an analytics command.
 */
import { closestMatch } from '../config/did-you-mean.js';

/** Splits a command string into words: whitespace separates, single or double quotes group. */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && (text[index + 1] === '"' || text[index + 1] === '\\')) current += text[++index];
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new Error(`unclosed ${quote} quote`);
  if (inWord) words.push(current);
  return words;
}

/** Writes words back as one line, quoting those that need it (for logs and `schedule list`). */
export function joinCommandLine(words: readonly string[]): string {
  return words.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `"${word.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)).join(' ');
}

export type CommandResolution =
  | { ok: true; commandId: string; argv: string[] }
  | { ok: false; message: string; hint: string };

/** Commands a job may not run: the scheduler itself (a job that starts a scheduler recurses). */
const FORBIDDEN_TOPICS = ['schedule'];

/**
 * Finds the analytics command named by the leading words (the longest match, so `lake info`
 * wins over a topic `lake`) and checks the rest of the arguments.
 */
export function resolveJobCommand(argv: readonly string[], known: ReadonlySet<string>): CommandResolution {
  if (argv.length === 0) return { ok: false, message: 'the command is empty', hint: 'name an analytics command, e.g. command: lake compact' };
  let commandId: string | undefined;
  for (let length = Math.min(argv.length, 4); length >= 1; length--) {
    const candidate = argv.slice(0, length).join(' ');
    if (known.has(candidate)) {
      commandId = candidate;
      break;
    }
  }
  const examples = [...known].filter((id) => !FORBIDDEN_TOPICS.includes(id.split(' ')[0]!)).sort();
  if (commandId === undefined) {
    const typed = argv.slice(0, 2).join(' ');
    const subcommands = examples.filter((id) => id.startsWith(`${argv[0]} `));
    if (subcommands.length > 0) {
      return { ok: false, message: `"${typed}" is not an analytics command`, hint: `${argv[0]} has the commands: ${subcommands.join(', ')}` };
    }
    const suggestion = closestMatch(argv[0]!, [...new Set(examples.map((id) => id.split(' ')[0]!))]);
    return {
      ok: false,
      message: `"${argv[0]}" is not an analytics command`,
      hint: suggestion === undefined ? `use one of: ${examples.join(", ")}` : `did you mean "${suggestion}"? analytics --help lists the commands`,
    };
  }
  if (FORBIDDEN_TOPICS.includes(commandId.split(' ')[0]!)) {
    return { ok: false, message: `a job cannot run "${commandId}"`, hint: 'jobs run pipelines, checks, lake upkeep and reports; the scheduler starts them itself' };
  }
  const workspaceFlag = argv.find((word) => word === '--workspace' || word === '-w' || word.startsWith('--workspace='));
  if (workspaceFlag !== undefined) {
    return { ok: false, message: `${workspaceFlag} is set by the scheduler`, hint: 'remove it: a job always runs on the workspace of this analytics.yaml' };
  }
  return { ok: true, commandId, argv: [...argv] };
}
