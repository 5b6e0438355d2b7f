/**
 * The checkpoint file of the stream jobs: long arrays in lines of their own, read back to the
 * value JSON would give; plain JSON checkpoints of earlier releases still read.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStateFile, readStateFile, stateFileLines, writeStateFile } from '../../../src/streams/state-file.js';

const held = (count: number, prefix: string) => Array.from({ length: count }, (_, index) => [`${prefix}-${index}`, `id-${index}`, 1_764_000_000_000 + index, index % 3 === 0, 12.5, null]);

describe('stream state files', () => {
  const state = {
    version: 1,
    jobs: {
      joined: { watermark: 5, operator: { format: 2, left: held(25_001, 'l'), right: held(3, 'r') } },
      // A class with toJSON, as the join's live state is, is written as its JSON.
      windows: { watermark: null, operator: { toJSON: () => ({ sessions: { '["a"]': [{ start: 1, end: 2 }] }, byStart: { 60000: { n: 1 } } }) } },
      again: { operator: { left: held(10_001, 'x') } },
    },
  };
  const plain = JSON.parse(JSON.stringify(state)) as unknown;

  it('writes long arrays as lines of their own and reads back what JSON would give', () => {
    const lines = [...stateFileLines(state)];
    expect(lines.length).toBe(1 + 3 + 2);
    expect(lines.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1)).toBe(true);
    expect(lines[0]!.length).toBeLessThan(1_000);
    expect(parseStateFile(lines.map((line) => line.slice(0, -1)))).toEqual(plain);
  });

  it('reads a file written a line at a time (writeStateFile), and a plain JSON checkpoint', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'analytics-state-file-'));
    const file = path.join(dir, 'state.json');
    const size = await writeStateFile(file, state);
    expect(size).toBe(readFileSync(file, 'utf8').length);
    expect(await readStateFile(file)).toEqual(plain);
    const earlier = path.join(dir, 'earlier.json');
    writeFileSync(earlier, JSON.stringify(state));
    expect(await readStateFile(earlier)).toEqual(plain);
  });

  it('a file cut short is an error, not a smaller state', () => {
    const lines = [...stateFileLines(state)].map((line) => line.slice(0, -1));
    expect(() => parseStateFile(lines.slice(0, -1))).toThrow(/ends before/);
  });
});
