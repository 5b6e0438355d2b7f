import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { transactionEvent } from '../support/sample-events.js';
import { makeWorkspace, queryRows, removeTempDirs, runCli } from '../support/cli.js';

describe('NDJSON with Windows line endings', () => {
  afterAll(() => removeTempDirs());

  it('stores CRLF records and reports rejected lines with the right line numbers', async () => {
    const workspace = await makeWorkspace();
    const lines = [JSON.stringify(transactionEvent(1)), 'not json', JSON.stringify(transactionEvent(2))];
    await writeFile(path.join(workspace, 'windows.ndjson'), `${lines.join('\r\n')}\r\n`);
    const result = await runCli(['ingest', 'file', 'windows.ndjson', '--max-errors', '-1', '--format', 'json'], { cwd: workspace });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ read: 3, stored: 2, rejected: 1 });
    expect(await queryRows(workspace, 'SELECT origin, raw FROM dead_letters')).toEqual([{ origin: 'windows.ndjson:2', raw: 'not json' }]);
    expect(await queryRows(workspace, 'SELECT id FROM transactions ORDER BY id')).toEqual([{ id: 'tx-1' }, { id: 'tx-2' }]);
  });
});
