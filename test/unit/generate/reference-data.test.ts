import { describe, expect, it } from 'vitest';
import { COUNTRIES, COUNTRY_BY_CODE } from '../../../src/reference/countries.js';
import { CURRENCIES, CURRENCY_BY_CODE } from '../../../src/reference/currencies.js';
import { MERCHANT_CATEGORIES, MERCHANT_CATEGORY_BY_CODE } from '../../../src/reference/merchant-categories.js';

describe('reference data', () => {
  it('lists all 249 ISO 3166-1 alpha-2 countries with M49 regions, centroids and known currencies', () => {
    expect(COUNTRIES).toHaveLength(249);
    expect(COUNTRY_BY_CODE.size).toBe(249);
    const regions = new Set(['Africa', 'Americas', 'Asia', 'Europe', 'Oceania', 'Antarctica']);
    for (const country of COUNTRIES) {
      expect(country.code).toMatch(/^[A-Z]{2}$/);
      expect(regions.has(country.region)).toBe(true);
      expect(country.subregion.length).toBeGreaterThan(3);
      expect(Math.abs(country.lat)).toBeLessThanOrEqual(90);
      expect(Math.abs(country.lon)).toBeLessThanOrEqual(180);
      expect(CURRENCY_BY_CODE.has(country.currency)).toBe(true);
    }
    expect(COUNTRY_BY_CODE.get('GB')).toMatchObject({ name: 'United Kingdom', region: 'Europe', subregion: 'Northern Europe', currency: 'GBP' });
    expect(COUNTRY_BY_CODE.get('JP')?.currency).toBe('JPY');
    expect(COUNTRY_BY_CODE.get('BR')?.subregion).toBe('South America');
    expect(COUNTRY_BY_CODE.has('UK')).toBe(false);
    expect(COUNTRY_BY_CODE.has('XK')).toBe(false);
  });

  it('lists active ISO 4217 codes with their minor units', () => {
    expect(CURRENCIES.length).toBeGreaterThan(170);
    expect(CURRENCY_BY_CODE.size).toBe(CURRENCIES.length);
    for (const currency of CURRENCIES) {
      expect(currency.code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(currency.decimals);
      expect(currency.usdPerUnit).toBeGreaterThan(0);
    }
    const decimals = (code: string) => CURRENCY_BY_CODE.get(code)?.decimals;
    for (const code of ['JPY', 'KRW', 'CLP', 'ISK', 'VND', 'XOF', 'XAF', 'XPF', 'UGX', 'PYG']) expect(decimals(code), code).toBe(0);
    for (const code of ['BHD', 'KWD', 'JOD', 'OMR', 'TND', 'IQD', 'LYD']) expect(decimals(code), code).toBe(3);
    for (const code of ['USD', 'EUR', 'GBP', 'CHF', 'INR', 'BRL']) expect(decimals(code), code).toBe(2);
    expect(decimals('CLF')).toBe(4);
    for (const withdrawn of ['HRK', 'SLL', 'ZWL', 'CUC', 'MRO', 'STD', 'VEF', 'ANG']) expect(CURRENCY_BY_CODE.has(withdrawn), withdrawn).toBe(false);
  });

  it('lists at least 80 four-digit MCCs with groups, including the common ones', () => {
    expect(MERCHANT_CATEGORIES.length).toBeGreaterThanOrEqual(80);
    expect(MERCHANT_CATEGORY_BY_CODE.size).toBe(MERCHANT_CATEGORIES.length);
    for (const category of MERCHANT_CATEGORIES) {
      expect(category.code).toMatch(/^\d{4}$/);
      expect(category.name.length).toBeGreaterThan(3);
      expect(category.group.length).toBeGreaterThan(3);
    }
    expect(MERCHANT_CATEGORY_BY_CODE.get('5411')).toMatchObject({ group: 'Food & Drink' });
    expect(MERCHANT_CATEGORY_BY_CODE.get('6011')?.group).toBe('Financial');
    for (const code of ['5812', '4111', '5999', '7995', '4511', '7011']) expect(MERCHANT_CATEGORY_BY_CODE.has(code), code).toBe(true);
  });
});
