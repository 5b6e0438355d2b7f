/** Small, valid contract events for tests that must not depend on the generator. */
import { promises as fs } from 'node:fs';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF'] as const;
const COUNTRIES = ['DE', 'US', 'GB', 'FR'] as const;

export function transactionEvent(index: number, options: { day?: string; idPrefix?: string } = {}): Record<string, unknown> {
  const day = options.day ?? '2026-11-24';
  const seconds = index % 86_400;
  const time = `${day}T${String(Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}.000Z`;
  return {
    id: `${options.idPrefix ?? 'tx'}-${index}`,
    type: 'transaction',
    version: 1,
    occurred_at: time,
    source: 'payments-api',
    data: {
      transaction_id: `t-${index}`,
      account_id: `acc-${index % 500}`,
      customer_id: `cus-${index % 400}`,
      merchant_id: `m-${index % 50}`,
      merchant_category: '5411',
      amount: ((index % 10_000) / 100).toFixed(2),
      currency: CURRENCIES[index % CURRENCIES.length],
      status: index % 13 === 0 ? 'declined' : 'captured',
      channel: 'ecommerce',
      country: COUNTRIES[index % COUNTRIES.length],
    },
  };
}

/** Writes `count` transaction events as NDJSON and returns the path. */
export async function writeTransactions(file: string, count: number, options: { day?: string; idPrefix?: string; offset?: number } = {}): Promise<string> {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) lines.push(JSON.stringify(transactionEvent(index + (options.offset ?? 0), options)));
  await fs.writeFile(file, `${lines.join('\n')}\n`);
  return file;
}
