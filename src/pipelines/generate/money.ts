/**
 * Amounts as decimal strings with exactly the currency's ISO 4217 minor units ("12.50", JPY
 * "1250", KWD "3.275"), computed in integer minor units so no float formatting leaks in.
 */
import type { Currency } from '../../reference/currencies.js';
import type { Prng } from './prng.js';

const POW10 = [1, 10, 100, 1000, 10000] as const;

/** Formats an integer number of minor units, e.g. (1250, 2) → "12.50". */
export function formatMinorUnits(minor: number, decimals: number): string {
  const negative = minor < 0;
  const digits = String(Math.abs(minor));
  if (decimals === 0) return negative ? '-' + digits : digits;
  const padded = digits.length > decimals ? digits : digits.padStart(decimals + 1, '0');
  const cut = padded.length - decimals;
  return (negative ? '-' : '') + padded.slice(0, cut) + '.' + padded.slice(cut);
}

/** Converts a USD amount to whole minor units of a currency, at least one minor unit. */
export function usdToMinorUnits(usd: number, currency: Currency): number {
  const scale = POW10[currency.decimals as 0 | 1 | 2 | 3 | 4] ?? 1;
  return Math.max(1, Math.round((usd / currency.usdPerUnit) * scale));
}

/** A USD value converted to the currency, as a decimal string with its minor units. */
export function amountFromUsd(usd: number, currency: Currency): string {
  return formatMinorUnits(usdToMinorUnits(usd, currency), currency.decimals);
}

/**
 * An ATM withdrawal: log-normal, rounded to a banknote-like step in the local currency
 * (10 USD, 1,000 JPY, 10 EUR…).
 */
export function cashAmount(prng: Prng, currency: Currency, medianUsd: number, sigma: number): string {
  const step = Math.pow(10, Math.max(0, Math.round(Math.log10(20 / currency.usdPerUnit))));
  const units = Math.max(1, Math.round(prng.logNormal(medianUsd, sigma) / currency.usdPerUnit / step)) * step;
  const scale = POW10[currency.decimals as 0 | 1 | 2 | 3 | 4] ?? 1;
  return formatMinorUnits(units * scale, currency.decimals);
}
