import { promises as fs } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import chalk from 'chalk';
import { exportQuery, type ExportFormat } from '../analytics/export.js';
import { runQuery } from '../analytics/query.js';
import { BaseCommand } from '../cli/base-command.js';
import { renderRows, renderTable } from '../cli/output.js';
import { UserError } from '../errors.js';

export default class Query extends BaseCommand {
  static override summary = 'Run read-only SQL over the lake (DuckDB dialect).';
  static override description = `Tables: transactions, fraud_detections, security_alerts, notifications (envelope, data fields and enrichment columns) and dead_letters. The query sees the lake as of the newest committed snapshot; it cannot change the lake.`;
  static override examples = [
    '<%= config.bin %> query "SELECT country, count(*) AS n FROM transactions GROUP BY ALL ORDER BY n DESC LIMIT 5"',
    '<%= config.bin %> query --file daily.sql --format csv --out daily.csv',
    '<%= config.bin %> query "SELECT * FROM dead_letters" --format json | jq .',
    '<%= config.bin %> query "SELECT * FROM transactions" --format parquet --out tx.parquet',
  ];
  static override args = { sql: Args.string({ description: 'The SQL (or use --file).' }) };
  static override flags = {
    file: Flags.string({ char: 'f', summary: 'Read the SQL from a file.' }),
    format: Flags.string({ summary: 'Output format.', options: ['table', 'json', 'ndjson', 'csv', 'parquet'], default: 'table' }),
    out: Flags.string({ char: 'o', summary: 'Write the result to this file instead of stdout (required for parquet).' }),
    'max-rows': Flags.integer({ summary: 'Rows shown in table format.', default: 200, min: 1 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Query);
    this.setupLogging('query', flags.debug);
    const sql = await this.readSql(args.sql, flags.file);
    const workspace = await this.loadWorkspace(flags.workspace);
    if (flags.out) {
      const format = (flags.format === 'table' ? 'csv' : flags.format) as ExportFormat;
      const { rows } = await exportQuery(workspace, sql, format, flags.out);
      this.logger.info(`wrote ${rows} rows to ${flags.out}`, { rows, format });
      return;
    }
    if (flags.format === 'parquet') {
      throw new UserError('BAD_ARGUMENT', 'Parquet output needs a file.', { hint: 'Add --out result.parquet' });
    }
    const result = await runQuery(workspace, sql);
    if (flags.format === 'table') {
      const shown = result.rows.slice(0, flags['max-rows']);
      this.out(renderTable(result.columns, shown, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }));
      const more = result.rows.length - shown.length;
      process.stderr.write(chalk.gray(`${result.rows.length} row${result.rows.length === 1 ? '' : 's'}${more > 0 ? ` (${more} not shown; use --max-rows or --format csv)` : ''} · ${result.seconds.toFixed(3)}s · lake version ${result.snapshotVersion}\n`));
      return;
    }
    process.stdout.write(renderRows(flags.format as 'json' | 'ndjson' | 'csv', result.columns, result.rows));
  }

  private async readSql(sql: string | undefined, file: string | undefined): Promise<string> {
    if (sql && file) throw new UserError('BAD_ARGUMENT', 'Pass the SQL as an argument or with --file, not both.');
    if (file) {
      try {
        return await fs.readFile(file, 'utf8');
      } catch {
        throw new UserError('INPUT_NOT_FOUND', `${file}: cannot read the SQL file.`, { hint: 'Check the path.' });
      }
    }
    if (!sql) throw new UserError('BAD_ARGUMENT', 'No SQL given.', { hint: 'analytics query "SELECT count(*) FROM transactions"' });
    return sql;
  }
}
