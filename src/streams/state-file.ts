/**
 * The stream jobs' checkpoint file: JSON, written and read in lines of bounded size.
 *
 * A join over a busy stream holds millions of events (the default `fraud_joined` at 10,000
 * transactions/s: 3.6 million, 300 MB of JSON). As one JSON text that was one string of that
 * size at every checkpoint (the daemon's memory jumped by a gigabyte and a batch took 6 s), and
 * V8 cannot hold a string above 512 MB, so a larger state could be written by no one and read by
 * no one. Here every array longer than CHUNK_ITEMS is written as a marker in the first line,
 * followed by lines of at most CHUNK_ITEMS of its items; reading puts them back in the same order.
 * A file of one line is plain JSON (every checkpoint before this format).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { replaceAtomically } from '../lake/durable-fs.js';

/** Items per line of a long array: a line of held join events is about 1 MB. */
const CHUNK_ITEMS = 10_000;
/** Key of the marker object that stands for a long array in the first line. */
const MARKER = '$chunked_lines';

/** The lines of the file (each ends with a newline), produced one at a time. */
export function* stateFileLines(state: unknown): Generator<string> {
  const long: unknown[][] = [];
  // The replacer sees values after toJSON, in the order JSON.stringify writes them.
  const head = JSON.stringify(state, (_key, value: unknown) => {
    if (!Array.isArray(value) || value.length <= CHUNK_ITEMS) return value;
    long.push(value);
    return { [MARKER]: Math.ceil(value.length / CHUNK_ITEMS) };
  });
  yield `${head}\n`;
  for (const array of long) {
    for (let start = 0; start < array.length; start += CHUNK_ITEMS) yield `${JSON.stringify(array.slice(start, start + CHUNK_ITEMS))}\n`;
  }
}

/** Writes `state` to `file` atomically, a line at a time; returns its size in characters. */
export async function writeStateFile(file: string, state: unknown): Promise<number> {
  let size = 0;
  const counted = function* () {
    for (const line of stateFileLines(state)) {
      size += line.length;
      yield line;
    }
  };
  await replaceAtomically(file, counted());
  return size;
}

/** Parses the lines of a state file (or of a plain JSON checkpoint). */
export function parseStateFile(lines: readonly string[]): unknown {
  let next = 1;
  // A reviver sees the markers in the order the writer met them (they are leaves: left to right).
  return JSON.parse(lines[0] ?? '', (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, MARKER)) return value;
    const count = (value as Record<string, number>)[MARKER]!;
    const items: unknown[] = [];
    for (let index = 0; index < count; index++) {
      const line = lines[next++];
      if (line === undefined) throw new Error('the file ends before the lines its first line announces');
      for (const item of JSON.parse(line) as unknown[]) items.push(item);
    }
    return items;
  });
}

/** Reads a state file line by line (no line is longer than a chunk). */
export async function readStateFile(file: string): Promise<unknown> {
  const lines: string[] = [];
  const reader = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of reader) if (line.length > 0) lines.push(line);
  return parseStateFile(lines);
}
