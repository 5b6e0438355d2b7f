/**
 * The synthetic world the events happen in: about 5,000 customers with one or two accounts,
 * their devices and IP addresses, merchants with stable categories and locations, ATMs, and a
 * few fraud rings (accounts sharing devices and IPs). Built once per seed from its own PRNG
 * stream, so it does not change with the count or the time range.
 */
import { COUNTRIES, type Country } from '../../reference/countries.js';
import { CURRENCY_BY_CODE, type Currency } from '../../reference/currencies.js';
import { MERCHANT_CATEGORY_BY_CODE } from '../../reference/merchant-categories.js';
import { AliasTable, WeightedChoice } from './alias-table.js';
import { CITIES_BY_COUNTRY } from './cities.js';
import { randomId } from './ids.js';
import { ATM_PROFILE, CATEGORY_PROFILES, type CategoryProfile } from './merchant-profiles.js';
import { deviceId, ipAddress, ipv4 } from './network.js';
import { Prng } from './prng.js';

/** How many customers the world has. */
export const CUSTOMER_COUNT = 5000;

/** Relative size of each market's customer base; every other inhabited country gets TAIL_WEIGHT. */
const MARKET_WEIGHTS: Readonly<Record<string, number>> = {
  US: 22, GB: 12, DE: 9, FR: 7, ES: 5, IT: 5, NL: 4, CA: 4, AU: 3, BR: 3, MX: 2.5, JP: 2.5, IN: 2.5,
  PL: 2, SE: 1.5, IE: 1.5, BE: 1.5, CH: 1.5, AT: 1.2, PT: 1.2, DK: 1, NO: 1, FI: 0.8, SG: 1, HK: 0.8,
  AE: 0.8, ZA: 0.8, NZ: 0.6, KR: 0.8, TR: 0.8, CZ: 0.6, RO: 0.6, GR: 0.6, HU: 0.5, AR: 0.5, CL: 0.5,
  CO: 0.5, NG: 0.5, KE: 0.4, EG: 0.4, SA: 0.5, IL: 0.5, TH: 0.5, MY: 0.5, ID: 0.5, PH: 0.5, VN: 0.4,
  CN: 0.6, TW: 0.4, PE: 0.3, MA: 0.3, UA: 0.3, BG: 0.3, HR: 0.3, SK: 0.3, SI: 0.2, LT: 0.2, LV: 0.2,
  EE: 0.2, LU: 0.2, CY: 0.2, MT: 0.1, IS: 0.1, QA: 0.2, KW: 0.2, BH: 0.1, OM: 0.1, JO: 0.1,
};
const TAIL_WEIGHT = 0.02;
/** Territories without a resident population. */
const UNINHABITED = new Set(['AQ', 'BV', 'GS', 'HM', 'IO', 'TF', 'UM']);

/** Where attackers' IPs are registered in security alerts. */
export const ATTACKER_COUNTRIES: readonly string[] = ['RU', 'CN', 'BR', 'NG', 'VN', 'US', 'NL', 'RO', 'IN', 'UA', 'ID', 'KP'];

export interface Account {
  id: string;
  /** Index of the owning customer in Population.customers. */
  customer: number;
}

export interface Customer {
  id: string;
  /** The customer's login at auth-service. */
  userId: string;
  country: Country;
  /** The home country's currency. */
  currency: Currency;
  accounts: Account[];
  devices: string[];
  ips: string[];
  /** Relative transaction activity. */
  activity: number;
  /** Index in Population.rings, or -1. */
  ring: number;
}

export interface Merchant {
  id: string;
  profile: CategoryProfile;
  country: Country;
  /** The currency it charges in: its country's. */
  currency: Currency;
  city: string | undefined;
  lat: number;
  lon: number;
  online: boolean;
}

export interface Ring {
  id: string;
  members: number[];
  devices: string[];
  ips: string[];
}

interface CountryMerchants {
  physical: WeightedChoice<Merchant>;
  atms: Merchant[];
  online: WeightedChoice<Merchant> | undefined;
}

function round5(value: number): number {
  return Math.round(value * 1e5) / 1e5;
}

function clampLat(lat: number): number {
  return Math.max(-89.9, Math.min(89.9, lat));
}

function wrapLon(lon: number): number {
  if (lon > 180) return lon - 360;
  if (lon < -180) return lon + 360;
  return lon;
}

/** The customers, merchants and fraud rings of one seed. */
export class Population {
  readonly customers: Customer[] = [];
  readonly rings: Ring[] = [];
  /** Customer countries by weight: also the destinations of travel. */
  readonly countryChoice: WeightedChoice<Country>;
  private readonly customerTable: AliasTable;
  private readonly merchantsByCountry = new Map<string, CountryMerchants>();
  private readonly onlineGlobal: WeightedChoice<Merchant>;
  /** Countries ordered by customer count, largest first. */
  readonly topCountries: string[];

  constructor(seed: number) {
    const prng = new Prng(seed, 1);
    const countryWeights = COUNTRIES.map((country) =>
      UNINHABITED.has(country.code) ? 0 : (MARKET_WEIGHTS[country.code] ?? TAIL_WEIGHT),
    );
    this.countryChoice = new WeightedChoice(COUNTRIES, countryWeights);
    const totalWeight = countryWeights.reduce((sum, weight) => sum + weight, 0);

    for (let index = 0; index < CUSTOMER_COUNT; index++) {
      const id = randomId(prng, 'cus_', 12);
      const accounts: Account[] = [];
      const accountCount = prng.chance(0.35) ? 2 : 1;
      for (let a = 0; a < accountCount; a++) accounts.push({ id: randomId(prng, 'acc_', 12), customer: index });
      const devices = Array.from({ length: prng.between(1, 3) }, () => deviceId(prng));
      const ips = Array.from({ length: prng.between(1, 2) }, () => ipAddress(prng));
      const country = this.countryChoice.sample(prng);
      this.customers.push({
        id,
        userId: 'usr_' + id.slice(4),
        country,
        currency: currencyOf(country.currency),
        accounts,
        devices,
        ips,
        activity: prng.logNormal(1, 0.9),
        ring: -1,
      });
    }

    this.buildRings(prng);
    this.customerTable = new AliasTable(this.customers.map((customer) => customer.activity));

    const physicalChoice = new WeightedChoice(CATEGORY_PROFILES, CATEGORY_PROFILES.map((profile) => profile.physical));
    const onlineChoice = new WeightedChoice(
      CATEGORY_PROFILES.filter((profile) => profile.online > 0),
      CATEGORY_PROFILES.filter((profile) => profile.online > 0).map((profile) => profile.online),
    );
    const allOnline: Merchant[] = [];
    COUNTRIES.forEach((country, index) => {
      const weight = countryWeights[index]!;
      if (weight === 0) return;
      const share = weight / totalWeight;
      const physical = Array.from({ length: Math.max(2, Math.round(3000 * share)) }, () =>
        this.makeMerchant(prng, physicalChoice.sample(prng), country, false),
      );
      const atms = Array.from({ length: Math.max(1, Math.round(300 * share)) }, () =>
        this.makeMerchant(prng, ATM_PROFILE, country, false),
      );
      const onlineCount = weight >= 0.3 ? Math.max(2, Math.round(600 * share)) : 0;
      const online = Array.from({ length: onlineCount }, () => this.makeMerchant(prng, onlineChoice.sample(prng), country, true));
      allOnline.push(...online);
      const popularity = (merchants: Merchant[]) => merchants.map(() => prng.logNormal(1, 0.8));
      this.merchantsByCountry.set(country.code, {
        physical: new WeightedChoice(physical, popularity(physical)),
        atms,
        online: online.length > 0 ? new WeightedChoice(online, popularity(online)) : undefined,
      });
    });
    this.onlineGlobal = new WeightedChoice(allOnline, allOnline.map(() => prng.logNormal(1, 1)));

    const counts = new Map<string, number>();
    for (const customer of this.customers) counts.set(customer.country.code, (counts.get(customer.country.code) ?? 0) + 1);
    this.topCountries = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([code]) => code);
  }

  /** A customer index, weighted by activity. */
  sampleCustomer(prng: Prng): number {
    return this.customerTable.sample(prng);
  }

  /** A shop in the country (or a random market if the country has none). */
  physicalMerchant(prng: Prng, country: string): Merchant {
    return this.merchantsIn(country).physical.sample(prng);
  }

  /** An ATM in the country. */
  atm(prng: Prng, country: string): Merchant {
    return prng.pick(this.merchantsIn(country).atms);
  }

  /** An online merchant: domestic most of the time, cross-border otherwise. */
  onlineMerchant(prng: Prng, country: string): Merchant {
    const domestic = this.merchantsByCountry.get(country)?.online;
    return domestic !== undefined && prng.chance(0.75) ? domestic.sample(prng) : this.onlineGlobal.sample(prng);
  }

  private merchantsIn(country: string): CountryMerchants {
    return this.merchantsByCountry.get(country) ?? this.merchantsByCountry.get('US')!;
  }

  private makeMerchant(prng: Prng, profile: CategoryProfile, country: Country, online: boolean): Merchant {
    if (!MERCHANT_CATEGORY_BY_CODE.has(profile.mcc)) throw new Error(`MCC ${profile.mcc} is not in the reference data`);
    const cities = CITIES_BY_COUNTRY[country.code];
    let city: string | undefined;
    let lat: number;
    let lon: number;
    if (cities !== undefined) {
      const chosen = new WeightedChoice(cities, cities.map((entry) => entry[3])).sample(prng);
      city = chosen[0];
      lat = chosen[1] + prng.normal() * 0.04;
      lon = chosen[2] + prng.normal() * 0.05;
    } else {
      lat = country.lat + prng.normal() * 0.3;
      lon = country.lon + prng.normal() * 0.3;
    }
    return {
      id: randomId(prng, 'mer_', 12),
      profile,
      country,
      currency: currencyOf(country.currency),
      city,
      lat: round5(clampLat(lat)),
      lon: round5(wrapLon(lon)),
      online,
    };
  }

  private buildRings(prng: Prng): void {
    const ringCount = 4;
    for (let r = 0; r < ringCount; r++) {
      const members: number[] = [];
      const size = prng.between(4, 8);
      while (members.length < size) {
        const candidate = prng.int(this.customers.length);
        const customer = this.customers[candidate]!;
        if (customer.ring !== -1) continue;
        customer.ring = r;
        // Mule accounts are busy: they cash out quickly.
        customer.activity *= 3;
        members.push(candidate);
      }
      this.rings.push({
        id: `ring_${r + 1}`,
        members,
        devices: Array.from({ length: prng.between(1, 2) }, () => deviceId(prng)),
        ips: Array.from({ length: prng.between(1, 3) }, () => ipv4(prng)),
      });
    }
  }
}

function currencyOf(code: string): Currency {
  const currency = CURRENCY_BY_CODE.get(code);
  if (currency === undefined) throw new Error(`Unknown currency ${code} in reference data`);
  return currency;
}

