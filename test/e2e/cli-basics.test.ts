/**
 * The CLI surface as a user meets it: help, finding the workspace, `init`, and the config
 * commands. Errors follow one policy: exit 1, one `Error:` line, a `Hint:`, no stack trace.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, STACK_TRACE } from '../support/assertions.js';
import { makeTempDir, makeWorkspace, removeTempDirs, runCli } from '../support/cli.js';

afterAll(removeTempDirs);

describe('help', () => {
  let cwd: string;

  beforeAll(async () => {
    cwd = await makeTempDir();
  });

  it('analytics --help lists the commands and topics', async () => {
    const result = await runCli(['--help'], { cwd });

    expect(result.exitCode, result.stderr).toBe(0);
    for (const command of ['init', 'query', 'config', 'ingest']) expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\s{2,}\\S`, 'm'));
  });

  it.each(['init', 'query', 'ingest file', 'config validate', 'config schema'])('analytics %s --help shows a summary, the flags and examples', async (command) => {
    const result = await runCli([...command.split(' '), '--help'], { cwd });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^USAGE\n {2}\$ analytics /m);
    expect(result.stdout).toMatch(/--workspace/);
    const examples = result.stdout.slice(result.stdout.indexOf('\nEXAMPLES\n'));
    expect(examples, result.stdout).toMatch(new RegExp(`^\\s+(\\$ )?analytics ${command}\\b`, 'm'));
  });
});

describe('workspace discovery', () => {
  let workspace: string;
  let outside: string;

  beforeAll(async () => {
    workspace = await makeWorkspace();
    outside = await makeTempDir();
    await fs.mkdir(path.join(workspace, 'data', 'incoming'), { recursive: true });
  });

  const valid = (root: string) => new RegExp(`^${path.join(root, 'analytics.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is valid\\.`);

  it('finds the workspace from a subfolder', async () => {
    const result = await runCli(['config', 'validate'], { cwd: path.join(workspace, 'data', 'incoming') });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(valid(workspace));
  });

  it('uses --workspace from anywhere', async () => {
    const result = await runCli(['config', 'validate', '--workspace', path.relative(outside, workspace)], { cwd: outside });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(valid(workspace));
  });

  it('uses ANALYTICS_WORKSPACE from anywhere', async () => {
    const result = await runCli(['config', 'validate'], { cwd: outside, env: { ANALYTICS_WORKSPACE: workspace } });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(valid(workspace));
  });

  it('--workspace wins over ANALYTICS_WORKSPACE', async () => {
    const result = await runCli(['config', 'validate', '-w', workspace], { cwd: outside, env: { ANALYTICS_WORKSPACE: outside } });

    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(valid(workspace));
  });

  it('outside any workspace: exit 1, and the hint says how to make one', async () => {
    const result = await runCli(['query', 'SELECT 1'], { cwd: outside });

    expectUserError(result, /No analytics\.yaml/);
    expect(result.stderr).toMatch(/^Hint: .*analytics init/m);
  });

  it('--workspace naming a folder without analytics.yaml: exit 1, and the hint says how to make one', async () => {
    const result = await runCli(['config', 'validate', '--workspace', outside], { cwd: workspace });

    expectUserError(result, /has no analytics\.yaml/);
    expect(result.stderr).toMatch(/^Hint: .*analytics init/m);
  });
});

describe('analytics init', () => {
  it('creates a workspace; a second init exits 1 unless --force, which keeps the lake', async () => {
    const dir = path.join(await makeTempDir(), 'payments');

    const first = await runCli(['init', dir, '--format', 'json'], { cwd: path.dirname(dir) });
    expect(first.exitCode, first.stderr).toBe(0);
    const created = JSON.parse(first.stdout) as { root: string; created: string[] };
    expect(created.root).toBe(dir);
    expect(created.created).toEqual(expect.arrayContaining(['analytics.yaml', 'reference/rates.csv']));
    for (const file of ['analytics.yaml', 'reference/rates.csv', 'lake']) expect(existsSync(path.join(dir, file)), file).toBe(true);
    const kept = path.join(dir, 'lake', 'kept.txt');
    await fs.writeFile(kept, 'lake data');
    await fs.writeFile(path.join(dir, 'analytics.yaml'), 'version: 1\nname: edited\n');

    const second = await runCli(['init', dir], { cwd: path.dirname(dir) });
    expectUserError(second, /already has analytics\.yaml/);
    expect(second.stderr).toMatch(/^Hint: .*--force/m);
    expect(await fs.readFile(path.join(dir, 'analytics.yaml'), 'utf8')).toBe('version: 1\nname: edited\n');

    const forced = await runCli(['init', dir, '--force'], { cwd: path.dirname(dir) });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(await fs.readFile(path.join(dir, 'analytics.yaml'), 'utf8')).toMatch(/^name: payments$/m);
    expect(await fs.readFile(kept, 'utf8')).toBe('lake data');
  });
});

describe('config commands', () => {
  let workspace: string;

  beforeAll(async () => {
    workspace = await makeWorkspace();
  });

  it('config validate lists every problem of a broken analytics.yaml as file:line:column, exit 1', async () => {
    const config = path.join(workspace, 'analytics.yaml');
    await fs.writeFile(config, [
      'version: 1',
      'name: broken',
      'lake:',
      '  path: 5',
      'reporting_currency: USDX',
      'engine:',
      '  memory_limt: 1GB',
      '',
    ].join('\n'));

    const result = await runCli(['config', 'validate'], { cwd: workspace });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(STACK_TRACE);
    const problems = result.stderr.replace(/^Error: /, '').trimEnd().split('\n');
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^${config}:4:9 +lake\\.path: `)),
      expect.stringMatching(new RegExp(`^${config}:5:21 +reporting_currency: `)),
      expect.stringMatching(new RegExp(`^${config}:7:3 +engine\\.memory_limt: .*memory_limit`)),
    ]);
  });

  it('config validate points at a YAML syntax error, exit 1', async () => {
    const config = path.join(workspace, 'analytics.yaml');
    await fs.writeFile(config, 'version: 1\nname: [unclosed\nlake:\n  path: lake\n');

    const result = await runCli(['config', 'validate'], { cwd: workspace });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(result.stderr).toMatch(new RegExp(`^Error: ${config}:\\d+:\\d+ +.*invalid YAML`));
  });

  it('config schema prints the JSON Schema of analytics.yaml', async () => {
    const result = await runCli(['config', 'schema'], { cwd: workspace });

    expect(result.exitCode, result.stderr).toBe(0);
    const schema = JSON.parse(result.stdout) as { $schema: string; type: string; properties: Record<string, unknown> };
    expect(schema.$schema).toMatch(/^https:\/\/json-schema\.org\//);
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['version', 'lake', 'reporting_currency', 'ingest', 'engine', 'event_types']));
  });
});

describe('bad flags', () => {
  let cwd: string;

  beforeAll(async () => {
    cwd = await makeTempDir();
  });

  it('an unknown flag exits 1 with a hint', async () => {
    const result = await runCli(['query', 'SELECT 1', '--bogus'], { cwd });

    expectUserError(result, /--bogus/);
    expect(result.stderr).toMatch(/^Hint: .*analytics query --help/m);
  });

  it('a flag value outside its options exits 1 with a hint', async () => {
    const result = await runCli(['query', 'SELECT 1', '--format', 'xml'], { cwd });

    expectUserError(result, /xml/);
  });
});
