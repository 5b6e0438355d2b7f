/**
 * `countLines` bounds a plain NDJSON file's records from above: a fast pass that wrote that
 * many took every record, and the second read that counts them is skipped (direct-write.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countLines } from '../../../src/pipelines/ingest/inputs.js';

describe('countLines', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'count-lines-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const count = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return countLines(file);
  };

  it('counts newlines, and a last line without one', async () => {
    expect(await count('empty', '')).toBe(0);
    expect(await count('one', '{"a":1}\n')).toBe(1);
    expect(await count('unterminated', '{"a":1}\n{"a":2}')).toBe(2);
    expect(await count('blank', '{"a":1}\n\n\n{"a":2}\n')).toBe(4);
    expect(await count('crlf', '{"a":1}\r\n{"a":2}\r\n')).toBe(2);
  });

  it('counts across the read chunks (1 MiB)', async () => {
    const line = `${'x'.repeat(999)}\n`;
    expect(await count('large', line.repeat(3_000))).toBe(3_000);
    expect(await count('large-unterminated', `${line.repeat(2_000)}tail`)).toBe(2_001);
  });
});
