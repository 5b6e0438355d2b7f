/**
 * The day's headline figures that `analytics quickstart` prints. Every figure is a metric of
 * metrics.yaml taken over all the data, so the quickstart, `metrics query`, `kpi` and later the
 * dashboard and reports mean the same thing by "decline rate" or "volume".
 */
import type { Engine } from '../duckdb/engine.js';
import { metricRelation } from '../metrics/compile.js';
import type { MetricDefinition } from '../metrics/schema.js';
import { requireMetric } from '../metrics/service.js';

export interface Headline {
  from: string | null;
  to: string | null;
  transactions: number;
  volume: number;
  reportingCurrency: string;
  declineRate: number | null;
  fraudRate: number | null;
  topMerchants: { merchant_id: string; category: string | null; transactions: number; volume: number }[];
  topCountries: { country: string; name: string | null; transactions: number; volume: number }[];
  alertsBySeverity: { severity: string; alerts: number }[];
  notificationDeliveryRate: number | null;
  deadLetters: number;
}

/** Over all the data: the time filter of a metric needs bounds, these hold every event. */
const ALL_TIME = { from: new Date(0), to: new Date(Date.UTC(9999, 0, 1)) };

type Totals = Record<string, string | number | null> & { value: number | null };

export async function headlineFigures(engine: Engine, metrics: ReadonlyMap<string, MetricDefinition>, reportingCurrency: string): Promise<Headline> {
  const totals = (name: string, by: string[] = [], order = '') =>
    engine.rows<Totals>(`SELECT * EXCLUDE (period, _rows) FROM (${metricRelation(metrics, requireMetric(metrics, name), by, 'total', ALL_TIME.from, ALL_TIME.to)}) ${order}`);
  const one = async (name: string) => (await totals(name))[0]?.value ?? null;
  const byValue = 'ORDER BY value DESC NULLS LAST LIMIT 5';

  const [span] = await engine.rows<{ from: string | null; to: string | null }>(`SELECT min(occurred_at) AS "from", max(occurred_at) AS "to" FROM transactions`);
  const merchants = await totals('transaction_volume', ['merchant_id', 'merchant_category_name'], `WHERE merchant_id IS NOT NULL ${byValue}`);
  const merchantCounts = new Map((await totals('approved_count', ['merchant_id'])).map((row) => [row.merchant_id, Number(row.value)]));
  const countries = await totals('transaction_volume', ['country', 'country_name'], byValue);
  const countryCounts = new Map((await totals('approved_count', ['country'])).map((row) => [row.country, Number(row.value)]));
  const severities = await totals('security_alert_count', ['severity'], `ORDER BY list_position(['critical', 'high', 'medium', 'low'], severity)`);
  return {
    from: span?.from ?? null,
    to: span?.to ?? null,
    transactions: Number((await one('transaction_count')) ?? 0),
    volume: Number((await one('transaction_volume')) ?? 0),
    reportingCurrency,
    declineRate: await one('decline_rate'),
    fraudRate: await one('fraud_rate'),
    topMerchants: merchants.map((row) => ({
      merchant_id: String(row.merchant_id),
      category: (row.merchant_category_name as string | null) ?? null,
      transactions: merchantCounts.get(row.merchant_id) ?? 0,
      volume: Number(row.value ?? 0),
    })),
    topCountries: countries.map((row) => ({
      country: String(row.country),
      name: (row.country_name as string | null) ?? null,
      transactions: countryCounts.get(row.country) ?? 0,
      volume: Number(row.value ?? 0),
    })),
    alertsBySeverity: severities.map((row) => ({ severity: String(row.severity), alerts: Number(row.value ?? 0) })),
    notificationDeliveryRate: await one('notification_delivery_rate'),
    deadLetters: Number((await one('rejected_records')) ?? 0),
  };
}
