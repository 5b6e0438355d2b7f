/** Dashboard YAML: the shipped default loads; bad input is rejected with file:line and the reason. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/load.js';
import { parseDashboard } from '../../../src/dashboard/load.js';
import { metricsFileSchema } from '../../../src/metrics/schema.js';

const metrics = new Map(metricsFileSchema.parse(parseYaml(readFileSync('metrics.yaml', 'utf8'))).metrics.map((metric) => [metric.name, metric]));
const tables = ['transactions', 'fraud_detections', 'security_alerts', 'notifications', 'dead_letters'];
const context = { metrics, tables, streams: undefined };

function problemsOf(text: string, streams?: Set<string>): string[] {
  try {
    parseDashboard(text, 'dashboards/x.yaml', { ...context, streams });
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected the dashboard to be rejected');
}

const header = 'title: T\nmin_columns: 120\nmin_rows: 40\nrows:\n';

describe('dashboard YAML', () => {
  it('the shipped default dashboard loads, with every widget placed and refreshed on the default interval', () => {
    const loaded = parseDashboard(readFileSync('dashboards/default.yaml', 'utf8'), 'dashboards/default.yaml', context);
    expect(loaded.widgets.map((widget) => widget.config.type)).toEqual(['kpi', 'kpi', 'kpi', 'kpi', 'kpi', 'kpi', 'line', 'map', 'bar', 'table', 'status', 'log', 'log', 'query']);
    expect(loaded.widgets[0]).toMatchObject({ id: 'r1w1', title: 'Volume', refreshMs: 10_000 });
    expect(loaded.config.filters).toEqual(['country', 'channel', 'merchant_id', 'severity']);
  });

  it('rejects an unknown widget type at its line', () => {
    const problems = problemsOf(`${header}  - height: 5\n    widgets:\n      - { type: pie, metric: approval_rate }\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^dashboards\/x\.yaml:7:\d+ +rows\[0\]\.widgets\[0\]\.type: .*"kpi"/);
  });

  it('rejects an unknown metric, with a suggestion', () => {
    const problems = problemsOf(`${header}  - height: 5\n    widgets:\n      - type: kpi\n        metric: aproval_rate\n`);
    expect(problems).toEqual(['dashboards/x.yaml:8:17  rows[0].widgets[0].metric: no metric named "aproval_rate" in metrics.yaml (did you mean "approval_rate"?)']);
  });

  it('rejects a dimension the metric does not have, and a filter no metric has', () => {
    const problems = problemsOf(`title: T\nfilters: [colour]\nrows:\n  - height: 8\n    widgets:\n      - type: bar\n        metric: transaction_count\n        by: shoe_size\n`);
    expect(problems[0]).toMatch(/^dashboards\/x\.yaml:2:11 +filters\[0\]: "colour" is not a dimension of any metric/);
    expect(problems[1]).toMatch(/^dashboards\/x\.yaml:8:13 +rows\[0\]\.widgets\[0\]\.by: transaction_count has no dimension "shoe_size" \(dimensions of transaction_count: country, region/);
  });

  it('rejects an unknown field of a widget', () => {
    const problems = problemsOf(`${header}  - height: 5\n    widgets:\n      - type: kpi\n        metric: approval_rate\n        colour: red\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^dashboards\/x\.yaml:9:\d+ +rows\[0\]\.widgets\[0\].*colour/);
  });

  it('rejects a layout that does not fit: too wide a row, too short a row, too many lines', () => {
    const kpis = Array.from({ length: 7 }, () => '      - { type: kpi, metric: approval_rate }').join('\n');
    const wide = problemsOf(`${header}  - height: 5\n    widgets:\n${kpis}\n`);
    expect(wide).toEqual([expect.stringMatching(/^dashboards\/x\.yaml:7:7 +rows\[0\]\.widgets: the layout does not fit: the widgets of this row need 126 columns, min_columns is 120/)]);
    const short = problemsOf(`${header}  - height: 4\n    widgets:\n      - { type: map, metric: transaction_volume }\n`);
    expect(short[0]).toMatch(/^dashboards\/x\.yaml:5:13 +rows\[0\]\.height: a map widget needs at least 10 lines; this row has 4/);
    const tall = problemsOf(`${header}  - height: 30\n    widgets: [{ type: status }]\n  - height: 10\n    widgets: [{ type: status }]\n`);
    expect(tall[0]).toMatch(/rows: the layout does not fit: the rows take 40 lines plus 3 for the header and bars, min_rows is 40/);
  });

  it('needs exactly one binding, and checks log tables', () => {
    const both = problemsOf(`${header}  - height: 8\n    widgets:\n      - { type: table, metric: transaction_count, by: [country], sql: "SELECT 1" }\n`);
    expect(both[0]).toMatch(/give only one of metric, sql, stream/);
    const table = problemsOf(`${header}  - height: 8\n    widgets:\n      - { type: log, table: security_alert }\n`);
    expect(table[0]).toMatch(/no lake table named "security_alert" \(did you mean "security_alerts"\?\)/);
  });

  it('checks stream names only when the workspace has a streams configuration', () => {
    const text = `${header}  - height: 8\n    widgets:\n      - { type: log, stream: tx_per_minut }\n`;
    expect(() => parseDashboard(text, 'x.yaml', context)).not.toThrow();
    const problems = problemsOf(text, new Set(['tx_per_minute']));
    expect(problems[0]).toMatch(/no stream named "tx_per_minut" in streams\.yaml \(did you mean "tx_per_minute"\?\)/);
  });
});

describe('docs/dashboard.md', () => {
  it('every dashboard in the gallery loads against the shipped metrics', () => {
    const blocks = [...readFileSync('docs/dashboard.md', 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!).filter((block) => block.startsWith('version: 1'));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) expect(() => parseDashboard(block, 'docs/dashboard.md', context), block.split('\n')[1]).not.toThrow();
  });
});
