/**
 * Transactions: a customer pays at a shop, online, at an ATM or by transfer. Amounts follow the
 * merchant category's log-normal ticket size in the local currency; fraud-ring members shop online
 * from shared devices and IPs and are declined more often.
 */
import { DECLINE_RATE } from '../anomalies.js';
import { WeightedChoice } from '../alias-table.js';
import type { GeneratedEvent, TransactionChannel, TransactionData, TransactionStatus } from '../events.js';
import { randomId } from '../ids.js';
import { ATM_PROFILE, TRANSFER_MEDIAN_USD, TRANSFER_SIGMA } from '../merchant-profiles.js';
import { amountFromUsd, cashAmount } from '../money.js';
import type { Customer, Merchant } from '../population.js';
import { envelope, type World } from '../world.js';

/** What the follow-up events need to know about a transaction. */
export interface TransactionFacts {
  event: GeneratedEvent<'transaction'>;
  customer: Customer;
  /** Index of the customer's fraud ring, or -1. */
  ring: number;
  declined: boolean;
  /** The transaction happened outside the customer's home country. */
  abroad: boolean;
  /** A large ticket for its category (top few percent). */
  large: boolean;
}

const CHANNELS = WeightedChoice.of<TransactionChannel>([
  ['card_present', 50],
  ['ecommerce', 35],
  ['transfer', 9],
  ['atm', 6],
]);

const SETTLED = WeightedChoice.of<TransactionStatus>([
  ['captured', 66],
  ['authorized', 27],
  ['refunded', 5],
  ['reversed', 2],
]);

const TRAVEL_SHARE = 0.07;
const RING_DECLINE_RATE = 0.3;

/** Builds one transaction at `at` (epoch ms). */
export function buildTransaction(world: World, at: number): TransactionFacts {
  const { prng, population } = world;
  const customer = population.customers[population.sampleCustomer(prng)]!;
  const account = prng.pick(customer.accounts);
  const ring = customer.ring;
  const home = customer.country.code;

  let channel: TransactionChannel;
  if (ring >= 0) channel = prng.chance(0.85) ? 'ecommerce' : 'transfer';
  else channel = CHANNELS.sample(prng);

  let merchant: Merchant | undefined;
  let country = home;
  if (channel === 'card_present' || channel === 'atm') {
    country = prng.chance(TRAVEL_SHARE) ? population.countryChoice.sample(prng).code : home;
    merchant = channel === 'atm' ? population.atm(prng, country) : population.physicalMerchant(prng, country);
    country = merchant.country.code;
  } else if (channel === 'ecommerce') {
    merchant = population.onlineMerchant(prng, home);
    country = merchant.country.code;
  }
  const currency = merchant?.currency ?? customer.currency;

  let amount: string;
  let large = false;
  if (channel === 'transfer') {
    const usd = prng.logNormal(TRANSFER_MEDIAN_USD * (ring >= 0 ? 3 : 1), TRANSFER_SIGMA);
    large = usd > TRANSFER_MEDIAN_USD * 7;
    amount = amountFromUsd(usd, currency);
  } else if (channel === 'atm') {
    amount = cashAmount(prng, currency, ATM_PROFILE.medianUsd, ATM_PROFILE.sigma);
  } else {
    const profile = merchant!.profile;
    const z = prng.normal();
    large = z > 1.9;
    const usd = profile.medianUsd * (ring >= 0 ? 2.5 : 1) * Math.exp(profile.sigma * z);
    amount = amountFromUsd(usd, currency);
  }

  const surgeCountry = world.plan.declineSurgeCountry();
  const declineRate = ring >= 0 ? RING_DECLINE_RATE : surgeCountry === country ? DECLINE_RATE.surge : DECLINE_RATE.normal;
  const declined = prng.chance(declineRate);
  let status: TransactionStatus = declined ? 'declined' : SETTLED.sample(prng);
  if (channel === 'atm' && (status === 'authorized' || status === 'refunded')) status = 'captured';

  let ip: string | undefined;
  let device: string | undefined;
  if (channel === 'ecommerce' || (channel === 'transfer' && prng.chance(0.7))) {
    const ringData = ring >= 0 ? population.rings[ring]! : undefined;
    ip = prng.pick(ringData?.ips ?? customer.ips);
    device = prng.pick(ringData?.devices ?? customer.devices);
  }

  const place = merchant !== undefined && !merchant.online ? merchant : undefined;
  const data: TransactionData = {
    transaction_id: randomId(prng, 'txn_', 16),
    account_id: account.id,
    customer_id: customer.id,
    merchant_id: merchant?.id,
    merchant_category: merchant?.profile.mcc,
    amount,
    currency: currency.code,
    status,
    channel,
    country,
    city: place?.city,
    lat: place?.lat,
    lon: place?.lon,
    ip,
    device_id: device,
  };
  return {
    event: envelope(world, 'transaction', at, data),
    customer,
    ring,
    declined,
    abroad: country !== home,
    large,
  };
}
