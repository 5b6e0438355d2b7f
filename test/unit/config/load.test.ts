import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UserError } from '../../../src/errors.js';
import { ConfigError, loadConfigFile, parseConfigText, type ConfigProblem } from '../../../src/config/load.js';
import { sampleSchema } from './sample-schema.js';

const FILE = 'analytics.yaml';

/** A valid config to start each case from; tests break one thing at a time. */
const VALID = `name: demo
streams:
  - name: payments
    window:
      kind: tumbling
      size: 60
`;

function env(values: Record<string, string>): (name: string) => string | undefined {
  return (name) => values[name];
}

/** Parses text that must fail, and returns the ConfigError. */
function configError(text: string, schema: z.ZodType = sampleSchema, values: Record<string, string> = {}): ConfigError {
  try {
    parseConfigText(text, FILE, schema, { env: env(values) });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function problems(text: string, schema: z.ZodType = sampleSchema, values: Record<string, string> = {}): ConfigProblem[] {
  return configError(text, schema, values).problems;
}

/** The single problem a text produces. */
function onlyProblem(text: string, schema: z.ZodType = sampleSchema, values: Record<string, string> = {}): ConfigProblem {
  const found = problems(text, schema, values);
  expect(found, found.map((problem) => problem.message).join('\n')).toHaveLength(1);
  return found[0] as ConfigProblem;
}

describe('parseConfigText', () => {
  it('returns the parsed value with defaults applied', () => {
    const config = parseConfigText(VALID, FILE, sampleSchema, { env: env({}) });
    expect(config.name).toBe('demo');
    expect(config.lake).toEqual({ path: './lake', retention: { days: 30 } });
    expect(config.streams[0]?.tags).toEqual([]);
  });

  describe('each kind of problem has its line, column, path and sentence', () => {
    it('a misspelt enum value, with a suggestion', () => {
      // Given a window kind with a typo
      const text = VALID.replace('kind: tumbling', 'kind: tumbeling');
      // Then the problem points at the value and suggests the closest allowed value
      expect(onlyProblem(text)).toEqual({
        file: FILE,
        line: 5,
        column: 13,
        path: 'streams[0].window.kind',
        message: 'expected one of "tumbling", "hopping", "session", found "tumbeling"',
        hint: 'did you mean "tumbling"?',
      });
    });

    it('a string where a number belongs', () => {
      const problem = onlyProblem(VALID.replace('size: 60', 'size: ten'));
      expect(problem).toMatchObject({ line: 6, column: 13, path: 'streams[0].window.size' });
      expect(problem.message).toBe('expected a number, found the string "ten"');
    });

    it('a quoted number gets a hint to drop the quotes', () => {
      const problem = onlyProblem(VALID.replace('size: 60', 'size: "60"'));
      expect(problem.hint).toBe('remove the quotes to write a number');
    });

    it('a number out of range', () => {
      const problem = onlyProblem(VALID.replace('size: 60', 'size: 5000'));
      expect(problem).toMatchObject({ line: 6, column: 13, path: 'streams[0].window.size' });
      expect(problem.message).toBe('expected a number of at most 3600, found 5000');
    });

    it('a too-short list', () => {
      const problem = onlyProblem('name: demo\nstreams: []\n');
      expect(problem).toMatchObject({ line: 2, column: 10, path: 'streams', message: 'expected at least 1 item, found 0' });
    });

    it('an unknown key in a strict object is reported at the key, with a suggestion', () => {
      const text = `${VALID}lake:\n  retension:\n    days: 7\n`;
      expect(onlyProblem(text)).toEqual({
        file: FILE,
        line: 8,
        column: 3,
        path: 'lake.retension',
        message: 'unknown key "retension"',
        hint: 'did you mean "retention"?',
      });
    });

    it('an unknown key without a near miss lists the allowed keys', () => {
      const problem = onlyProblem(`${VALID}colour: blue\n`);
      expect(problem).toMatchObject({ line: 7, column: 1, path: 'colour', message: 'unknown key "colour"' });
      expect(problem.hint).toBe('allowed keys: name, database_url, lake, streams, sink, timeout');
    });

    it('a missing required key is reported at the mapping it belongs in', () => {
      const problem = onlyProblem(VALID.replace('  - name: payments\n    window:', '  - window:'));
      expect(problem).toMatchObject({ line: 3, column: 5, path: 'streams[0].name', message: 'required key "name" is missing' });
    });

    it('a discriminated union with an unknown tag', () => {
      const problem = onlyProblem(`${VALID}sink:\n  type: kafak\n  topic: t\n`);
      expect(problem).toEqual({
        file: FILE,
        line: 8,
        column: 9,
        path: 'sink.type',
        message: 'expected one of "kafka", "file", found "kafak"',
        hint: 'did you mean "kafka"?',
      });
    });

    it('a discriminated union checks the chosen variant', () => {
      const found = problems(`${VALID}sink: { type: kafka, topic: 5 }\n`);
      expect(found.map((problem) => [problem.path, problem.message])).toEqual([
        ['sink.brokers', 'required key "brokers" is missing'],
        ['sink.topic', 'expected a string, found the number 5'],
      ]);
      expect(found.map((problem) => [problem.line, problem.column])).toEqual([
        [7, 7],
        [7, 29],
      ]);
    });

    it('a union reports the option that fits the value', () => {
      const problem = onlyProblem(`${VALID}timeout: 5 minutes\n`);
      expect(problem).toMatchObject({ line: 7, column: 10, path: 'timeout' });
      expect(problem.message).toBe('expected a string matching /^\\d+(ms|s|m)$/, found "5 minutes"');
    });

    it('a union of mappings reports the option the value is closest to, and names the others', () => {
      const schema = z.object({
        source: z.union([z.object({ url: z.string() }).strict(), z.object({ path: z.string(), glob: z.boolean() }).strict(), z.number()]),
      });
      const problem = onlyProblem('source:\n  path: ./data\n  glob: yes\n', schema);
      expect(problem).toMatchObject({ line: 3, column: 9, path: 'source.glob', message: 'expected a boolean, found the string "yes"' });
      expect(problem.hint).toBe('or write a number');
    });

    it('a union where no option fits lists what would', () => {
      const problem = onlyProblem(`${VALID}timeout: [1]\n`);
      expect(problem.message).toBe('expected a number or a string, found a list');
    });

    it('a string format', () => {
      const problem = onlyProblem(`${VALID}database_url: not a url\n`);
      expect(problem).toMatchObject({ line: 7, column: 15, path: 'database_url', message: 'expected a URL, found "not a url"' });
    });

    it('an empty value', () => {
      const problem = onlyProblem(VALID.replace('size: 60', 'size:'));
      expect(problem.message).toBe('expected a number, found an empty value');
    });

    it('a cross-field rule from superRefine keeps its own message', () => {
      const problem = onlyProblem(VALID.replace('kind: tumbling', 'kind: hopping'));
      expect(problem).toMatchObject({
        line: 5,
        column: 7,
        path: 'streams[0].window',
        message: 'a hopping window needs a slide; add window.slide',
      });
    });

    it("a check's own message becomes the hint, after what was expected and found", () => {
      const schema = z.object({ currency: z.string().regex(/^[A-Z]{3}$/, 'use an ISO 4217 code such as USD') });
      expect(onlyProblem('currency: usd\n', schema)).toMatchObject({
        path: 'currency',
        message: 'expected a string matching /^[A-Z]{3}$/, found "usd"',
        hint: 'use an ISO 4217 code such as USD',
      });
    });

    it('a root that is not a mapping', () => {
      expect(onlyProblem('- a\n- b\n')).toMatchObject({ line: 1, column: 1, path: '', message: 'expected a mapping, found a list' });
    });
  });

  it('reports every problem at once, in file order, in one message', () => {
    // Given a file with five unrelated mistakes
    const text = `name: demo
lake:
  retension:
    days: 7
streams:
  - name: payments
    window: { kind: tumbeling, size: ten }
sink:
  type: kafak
extra: 1
`;
    // When it is parsed
    const error = configError(text);
    // Then all are reported, sorted by position, one line each
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message.split('\n')).toEqual([
      'analytics.yaml:3:3  lake.retension: unknown key "retension" (did you mean "retention"?)',
      'analytics.yaml:7:21  streams[0].window.kind: expected one of "tumbling", "hopping", "session", found "tumbeling" (did you mean "tumbling"?)',
      'analytics.yaml:7:38  streams[0].window.size: expected a number, found the string "ten"',
      'analytics.yaml:9:9  sink.type: expected one of "kafka", "file", found "kafak" (did you mean "kafka"?)',
      'analytics.yaml:10:1  extra: unknown key "extra" (allowed keys: name, database_url, lake, streams, sink, timeout)',
    ]);
    expect(error).toBeInstanceOf(UserError);
  });

  it('treats an empty file as an empty mapping', () => {
    const error = configError('');
    expect(error.problems.map((problem) => [problem.line, problem.column, problem.message])).toEqual([
      [1, 1, 'required key "name" is missing'],
      [1, 1, 'required key "streams" is missing'],
    ]);
    const optional = z.object({ name: z.string().default('x') });
    expect(parseConfigText('', FILE, optional)).toEqual({ name: 'x' });
    expect(parseConfigText('# only a comment\n', FILE, optional)).toEqual({ name: 'x' });
  });

  describe('YAML syntax', () => {
    it('reports a syntax error at its own position with code CONFIG_YAML', () => {
      const error = configError('name: demo\nlake:\n  path: "unterminated\n');
      expect(error.code).toBe('CONFIG_YAML');
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatchObject({ kind: 'yaml', line: 4, column: 1 });
      expect(error.problems[0]?.message).toMatch(/^invalid YAML: missing closing "quote/);
    });

    it('reports bad indentation where it happens', () => {
      const error = configError('name: demo\nlake:\n  path: x\n retention: 1\n');
      expect(error.problems[0]).toMatchObject({ line: 4, column: 1, kind: 'yaml' });
      expect(error.problems[0]?.hint).toBe('line up the keys of one mapping in the same column');
    });

    it('reports a duplicate key and still validates the rest', () => {
      const found = problems(`${VALID}name: again\ncolor: red\n`);
      expect(found.map((problem) => [problem.line, problem.column, problem.path, problem.message])).toEqual([
        [7, 1, 'name', 'duplicate key "name"'],
        [8, 1, 'color', 'unknown key "color"'],
      ]);
    });

    it('reports an alias to an anchor that does not exist', () => {
      const problem = onlyProblem(`${VALID}database_url: *nowhere\n`);
      expect(problem).toMatchObject({ kind: 'yaml', line: 7, column: 15, message: 'unknown alias *nowhere' });
    });
  });

  describe('environment interpolation', () => {
    const schema = z.object({
      url: z.string().url().optional(),
      note: z.string().optional(),
      port: z.number().int().optional(),
      quoted: z.string().optional(),
      password: z
        .string()
        .superRefine((value, ctx) => {
          if (value.length < 20) ctx.addIssue({ code: 'custom', message: `password "${value}" is too short` });
        })
        .optional(),
    });

    it('substitutes a set variable and types an unquoted scalar as YAML would', () => {
      const config = parseConfigText('url: ${URL}\nport: ${PORT}\nquoted: "${PORT}"\n', FILE, schema, {
        env: env({ URL: 'https://example.com/x', PORT: '8080' }),
      });
      expect(config).toEqual({ url: 'https://example.com/x', port: 8080, quoted: '8080' });
    });

    it('uses the default when the variable is unset or empty', () => {
      const config = parseConfigText('note: ${A:-first} ${B:-second}\n', FILE, schema, { env: env({ B: '' }) });
      expect(config.note).toBe('first second');
    });

    it('keeps $${ as a literal ${', () => {
      const config = parseConfigText('note: cost $${AMOUNT} ${X:-}\n', FILE, schema, { env: env({}) });
      expect(config.note).toBe('cost ${AMOUNT} ');
    });

    it('reports a missing variable at its scalar, with CONFIG_ENV_MISSING and an export hint', () => {
      const error = configError('note: ok\nurl: "https://${HOST}/x"\n', schema);
      expect(error.code).toBe('CONFIG_ENV_MISSING');
      expect(error.problems).toEqual([
        {
          file: FILE,
          line: 2,
          column: 6,
          path: 'url',
          kind: 'env',
          message: 'environment variable HOST is not set',
          hint: 'export HOST=… or give a default: ${HOST:-…}',
        },
      ]);
    });

    it('reports missing variables together with schema problems', () => {
      const error = configError('note: ${NOTE}\nport: many\n', schema);
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.problems.map((problem) => problem.path)).toEqual(['note', 'port']);
    });

    it('never echoes a value that came from the environment', () => {
      const secret = 'hunter2-not-a-url';
      const error = configError('url: ${DB_URL}\npassword: ${DB_PASSWORD}\n', schema, { DB_URL: secret, DB_PASSWORD: 'sw0rdfish' });
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain('sw0rdfish');
      expect(error.problems.map((problem) => problem.message)).toEqual([
        'expected a URL, found the value of "${DB_URL}"',
        'password "${DB_PASSWORD}" is too short',
      ]);
    });

    it('does not interpolate keys, and cannot inject YAML structure', () => {
      const config = parseConfigText('note: ${INJECT}\n', FILE, schema, { env: env({ INJECT: 'x\nport: 1' }) });
      expect(config).toEqual({ note: 'x\nport: 1' });
    });

    it('reports a malformed reference', () => {
      const problem = onlyProblem('note: ${NOT VALID}\n', schema);
      expect(problem).toMatchObject({ line: 1, column: 7, path: 'note', message: 'malformed reference "${NOT VALID}"' });
    });
  });
});

describe('loadConfigFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'config-load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and validates a file, naming it in problems', async () => {
    const file = join(dir, 'analytics.yaml');
    await writeFile(file, VALID);
    await expect(loadConfigFile(file, sampleSchema)).resolves.toMatchObject({ name: 'demo' });
    await writeFile(file, `${VALID}extra: 1\n`);
    await expect(loadConfigFile(file, sampleSchema)).rejects.toThrow(`${file}:7:1  extra: unknown key "extra"`);
  });

  it('explains a missing file with a hint', async () => {
    const file = join(dir, 'missing.yaml');
    const error = await loadConfigFile(file, sampleSchema).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect(error).not.toBeInstanceOf(ConfigError);
    expect((error as UserError).message).toBe(`${file}: configuration file not found`);
    expect((error as UserError).hint).toContain('create');
  });
});
