import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configReferenceMarkdown } from '../../../src/config/reference-doc.js';
import { sampleSchema } from './sample-schema.js';

describe('configReferenceMarkdown', () => {
  const markdown = configReferenceMarkdown(sampleSchema, 'Sample configuration');

  it('has one section per object, in schema order', () => {
    const headings = markdown.split('\n').filter((line) => line.startsWith('#'));
    expect(headings).toEqual([
      '# Sample configuration',
      '## Top-level keys',
      '## `lake`',
      '## `lake.retention`',
      '## `streams[]`',
      '## `streams[].window`',
      '## `sink` (type: kafka)',
      '## `sink` (type: file)',
    ]);
  });

  it('has a row per key with type, default and description, nested keys included', () => {
    expect(markdown).toContain('| `lake.retention.days` | integer (1 to 3650) | `30` | Days of data to keep. |');
    expect(markdown).toContain('| `streams[].window.kind` | one of `tumbling`, `hopping`, `session` | required | How events are grouped into windows. |');
    expect(markdown).toContain('| `streams[].window.slide` | integer (at least 1) | — | Step between hopping windows, in seconds. |');
    expect(markdown).toContain('| `sink.brokers` | list of string (at least 1 item) | required | Bootstrap brokers, host:port. |');
    expect(markdown).toContain('| `streams` | list of object (at least 1 item; see `streams[]`) | required | Event streams to ingest. |');
  });

  it('escapes pipes so a table cell stays one cell', () => {
    expect(markdown).toContain('string (matching `^\\d+(ms\\|s\\|m)$`)');
  });

  it('documents maps of objects', () => {
    const schema = z.object({ sources: z.record(z.string(), z.object({ path: z.string().describe('Where it is.') })).describe('Named sources.') });
    const doc = configReferenceMarkdown(schema, 'Maps');
    expect(doc).toContain('| `sources` | mapping of names to object (see `sources.<name>`) | required | Named sources. |');
    expect(doc).toContain('| `sources.<name>.path` | string | required | Where it is. |');
  });

  it('is deterministic', () => {
    expect(configReferenceMarkdown(sampleSchema, 'Sample configuration')).toBe(markdown);
  });
});
