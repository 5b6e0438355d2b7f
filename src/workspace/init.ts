/**
 * `analytics init`: scaffolds a workspace folder with a commented config, the default
 * pipelines and reports, a rates table for currency conversion, the lake folder and the JSON
 * Schema that editors use for completion.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../config/json-schema.js';
import { workspaceSchema } from '../config/workspace-schema.js';
import { pipelinesFileSchema } from '../etl/schema.js';
import { UserError } from '../errors.js';
import { CURRENCIES } from '../reference/currencies.js';
import { CONFIG_FILE } from './workspace.js';

/** The package root: where pipelines.yaml and reports/ ship. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SCHEMA_FILE = 'schemas/analytics.schema.json';
export const PIPELINES_SCHEMA_FILE = 'schemas/pipelines.schema.json';

export interface InitResult {
  root: string;
  created: string[];
}

export function workspaceConfigTemplate(name: string): string {
  return `# yaml-language-server: $schema=./${SCHEMA_FILE}
# The analytics workspace configuration. Reference: docs/configuration.md
# Secrets never go here: write \${ENV_VAR} and set the variable in the environment.
version: 1
name: ${name}

lake:
  path: lake                 # Parquet lake folder, relative to this file

reporting_currency: USD      # amount_reporting is converted to this currency

reference:
  rates: reference/rates.csv # currency,usd_per_unit

ingest:
  max_errors: 0              # more rejected records than this make ingest exit 1 (-1: no limit)

engine:
  memory_limit: 512MB        # per process; DuckDB spills to disk beyond it

# The Kafka ingest daemon (analytics ingest kafka). The defaults below need no setting: brokers
# 127.0.0.1:9092, group analytics-ingest, one topic per event type. Uncomment to change them.
# kafka:
#   brokers: [127.0.0.1:9092]
#   group: analytics-ingest
#   sasl: { mechanism: scram-sha-512, username: analytics, password: \${KAFKA_PASSWORD} }

# Jobs that \`analytics schedule start\` runs on cron expressions (docs/scheduler.md); see them with
# \`analytics schedule list\`. Uncomment to compact the lake and run the data checks every night.
# schedule:
#   timezone: UTC                  # default time zone of the cron expressions
#   jobs:
#     nightly_compact:
#       cron: "30 2 * * *"         # minute hour day-of-month month day-of-week: 02:30 daily
#       command: lake compact
#       timeout: 30m               # the attempt is stopped after this
#       retries: 2                 # after 30 s, then 60 s (e.g. when the lake lock was busy)
#     checks:
#       cron: "0 3 * * *"
#       command: [check, --junit, reports/checks.xml]
#       catch_up: run_once         # missed while the scheduler was down: run once at start-up

# Your own event types, or new versions of built-in ones (JSON Schema of \`data\`):
event_types: []
#  - type: refund_request
#    version: 1
#    schema:
#      required: [refund_id, amount, currency]
#      properties:
#        refund_id: { type: string, minLength: 1 }
#        amount: { type: number, x-decimal: true, minimum: 0, x-currency-field: currency }
#        currency: { type: string, format: currency }
`;
}

export function ratesCsv(): string {
  const rows = CURRENCIES.filter((currency) => currency.usdPerUnit > 0).map((currency) => `${currency.code},${currency.usdPerUnit}`);
  return `currency,usd_per_unit\n${rows.join('\n')}\n`;
}

export async function initWorkspace(dir: string, options: { force?: boolean } = {}): Promise<InitResult> {
  const root = path.resolve(dir);
  const configPath = path.join(root, CONFIG_FILE);
  if (existsSync(configPath) && !options.force) {
    throw new UserError('WORKSPACE_EXISTS', `${root} already has ${CONFIG_FILE}.`, { hint: 'Use it as it is, or pass --force to rewrite the scaffolded files (your lake stays).' });
  }
  const created: string[] = [];
  const write = async (relative: string, content: string) => {
    const target = path.join(root, relative);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, content);
    created.push(relative);
  };
  await write(CONFIG_FILE, workspaceConfigTemplate(path.basename(root) || 'analytics'));
  await write('pipelines.yaml', await fs.readFile(path.join(PACKAGE_ROOT, 'pipelines.yaml'), 'utf8'));
  await write('metrics.yaml', await fs.readFile(path.join(PACKAGE_ROOT, 'metrics.yaml'), 'utf8'));
  await write('dashboards/default.yaml', await fs.readFile(path.join(PACKAGE_ROOT, 'dashboards', 'default.yaml'), 'utf8'));
  await write('streams.yaml', await fs.readFile(path.join(PACKAGE_ROOT, 'streams.yaml'), 'utf8'));
  await write('reports/README.md', await fs.readFile(path.join(PACKAGE_ROOT, 'reports', 'README.md'), 'utf8'));
  await write('reference/rates.csv', ratesCsv());
  await write(SCHEMA_FILE, `${JSON.stringify(configJsonSchema(workspaceSchema, { id: 'https://analytics.local/schemas/analytics.schema.json', title: 'analytics.yaml' }), null, 2)}\n`);
  await write(PIPELINES_SCHEMA_FILE, `${JSON.stringify(configJsonSchema(pipelinesFileSchema, { id: 'https://analytics.local/schemas/pipelines.schema.json', title: 'pipelines.yaml' }), null, 2)}\n`);
  await write('.gitignore', 'lake/\n.analytics/\n'); // .analytics/: caches, check state, scheduler history and logs
  await fs.mkdir(path.join(root, 'lake'), { recursive: true });
  created.push('lake/');
  return { root, created };
}
