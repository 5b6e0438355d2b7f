/**
 * The day's headline figures that `analytics quickstart` prints. Each figure is one SQL
 * aggregate over the lake views. (When the metrics layer lands, these become metric queries.)
 */
import type { Engine } from '../duckdb/engine.js';

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

/** Definitions, once: volume counts authorized and captured transactions; decline rate is declined/all transactions; fraud rate is transactions with a
 * fraud_detection labelled `fraud` over all transactions; delivery rate counts delivered, opened and
 * clicked over every notification that reached a final state (those plus failed and bounced). */
export async function headlineFigures(engine: Engine, reportingCurrency: string): Promise<Headline> {
  const [totals] = await engine.rows<{ from: string | null; to: string | null; transactions: number; volume: number | null; decline_rate: number | null }>(`
    SELECT min(occurred_at) AS "from", max(occurred_at) AS "to", count(*) AS transactions,
           coalesce(sum(amount_reporting) FILTER (WHERE status IN ('authorized', 'captured')), 0)::DOUBLE AS volume,
           (count(*) FILTER (WHERE status = 'declined'))::DOUBLE / nullif(count(*), 0) AS decline_rate
    FROM transactions`);
  const [fraud] = await engine.rows<{ fraud_rate: number | null }>(`
    SELECT (SELECT count(DISTINCT transaction_id) FROM fraud_detections WHERE label = 'fraud')::DOUBLE
           / nullif((SELECT count(*) FROM transactions), 0) AS fraud_rate`);
  const topMerchants = await engine.rows<Headline['topMerchants'][number]>(`
    SELECT merchant_id, any_value(merchant_category_name) AS category, count(*) AS transactions, sum(amount_reporting)::DOUBLE AS volume
    FROM transactions WHERE merchant_id IS NOT NULL AND status IN ('authorized', 'captured')
    GROUP BY merchant_id ORDER BY volume DESC NULLS LAST LIMIT 5`);
  const topCountries = await engine.rows<Headline['topCountries'][number]>(`
    SELECT country, any_value(country_name) AS name, count(*) AS transactions, sum(amount_reporting)::DOUBLE AS volume
    FROM transactions WHERE status IN ('authorized', 'captured')
    GROUP BY country ORDER BY volume DESC NULLS LAST LIMIT 5`);
  const alertsBySeverity = await engine.rows<Headline['alertsBySeverity'][number]>(`
    SELECT severity, count(*) AS alerts FROM security_alerts GROUP BY severity
    ORDER BY list_position(['critical', 'high', 'medium', 'low'], severity)`);
  const [delivery] = await engine.rows<{ rate: number | null }>(`
    SELECT (count(*) FILTER (WHERE status IN ('delivered', 'opened', 'clicked')))::DOUBLE
           / nullif(count(*) FILTER (WHERE status IN ('delivered', 'opened', 'clicked', 'failed', 'bounced')), 0) AS rate
    FROM notifications`);
  const [dead] = await engine.rows<{ n: number }>(`SELECT count(*) AS n FROM dead_letters`);
  return {
    from: totals?.from ?? null,
    to: totals?.to ?? null,
    transactions: Number(totals?.transactions ?? 0),
    volume: Number(totals?.volume ?? 0),
    reportingCurrency,
    declineRate: totals?.decline_rate ?? null,
    fraudRate: fraud?.fraud_rate ?? null,
    topMerchants,
    topCountries,
    alertsBySeverity,
    notificationDeliveryRate: delivery?.rate ?? null,
    deadLetters: Number(dead?.n ?? 0),
  };
}
