/**
 * A workspace for dashboard tests: 2,000 sample transactions one per second from
 * 2026-11-24T00:00:00Z (countries DE, US, GB, FR in turn; every 13th declined), 40 security
 * alerts, and a dashboard with one widget of each kind. Tests pin "now" to 00:40 that day.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ingestFiles } from '../../src/pipelines/ingest/file-ingest.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { writeTransactions } from './sample-events.js';
import { tempWorkspace } from './workspace.js';

export const DASHBOARD_NOW = new Date('2026-11-24T00:40:00Z');
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export const TEST_DASHBOARD = `title: Test board
time_range: 1h
filters: [country, channel, severity]
min_columns: 100
min_rows: 40
rows:
  - height: 5
    widgets:
      - { type: kpi, metric: transaction_count, title: Transactions }
      - { type: kpi, metric: decline_rate, title: Decline rate }
  - height: 12
    widgets:
      - { type: line, metric: transaction_count, by: country, title: Per country, width: 2 }
      - { type: map, metric: transaction_count, by: country, title: Map, width: 2 }
  - height: 10
    widgets:
      - { type: bar, metric: transaction_count, by: country, title: Bars }
      - { type: table, metric: transaction_count, by: [merchant_id], title: Merchants }
      - { type: status, title: Status, checks: false }
  - height: 8
    widgets:
      - { type: log, table: security_alerts, fields: [occurred_at, severity, category], severity_field: severity, title: Alerts }
      - { type: query, title: Broken, sql: "SELECT no_such_column FROM transactions" }
`;

export async function dashboardWorkspace(): Promise<{ dir: string; workspace: Workspace; cleanup: () => Promise<void> }> {
  const made = await tempWorkspace('analytics-dash-');
  const alerts = Array.from({ length: 40 }, (_, n) => JSON.stringify({
    id: `alert-${n}`, type: 'security_alert', version: 1, occurred_at: `2026-11-24T00:${String(n).padStart(2, '0')}:30.000Z`, source: 'auth',
    data: { alert_id: `a-${n}`, severity: SEVERITIES[n % 4], category: 'failed_login', country: ['DE', 'US', 'GB', 'FR'][n % 4] },
  }));
  await fs.writeFile(path.join(made.dir, 'alerts.ndjson'), `${alerts.join('\n')}\n`);
  await ingestFiles(made.workspace, { paths: [await writeTransactions(path.join(made.dir, 'tx.ndjson'), 2_000), path.join(made.dir, 'alerts.ndjson')], cwd: made.dir });
  await fs.writeFile(path.join(made.dir, 'dashboards', 'test.yaml'), TEST_DASHBOARD);
  return made;
}
