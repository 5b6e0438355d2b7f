/**
 * Security alerts from auth-service: mostly failed logins and new devices at low or medium
 * severity, rarely critical; bursts of failed logins from one IP against many users
 * (credential stuffing); and the alerts of a security surge anomaly.
 */
import { COUNTRIES } from '../../../reference/countries.js';
import { WeightedChoice } from '../alias-table.js';
import type { AlertCategory, GeneratedEvent, SecurityAlertData, Severity } from '../events.js';
import { randomId } from '../ids.js';
import { ipAddress, ipv4 } from '../network.js';
import { ATTACKER_COUNTRIES, type Customer } from '../population.js';
import { envelope, type World } from '../world.js';

/** An ongoing credential-stuffing burst: one IP, many users. */
export interface Burst {
  ip: string;
  country: string;
}

const CATEGORIES = WeightedChoice.of<AlertCategory>([
  ['failed_login', 40],
  ['new_device', 22],
  ['impossible_travel', 8],
  ['other', 12],
  ['malware', 4],
  ['privilege_escalation', 3],
  ['data_exfiltration', 2],
  ['credential_stuffing', 2],
]);

const SEVERITY: Readonly<Record<AlertCategory, WeightedChoice<Severity>>> = {
  failed_login: WeightedChoice.of<Severity>([['low', 85], ['medium', 15]]),
  new_device: WeightedChoice.of<Severity>([['low', 60], ['medium', 40]]),
  impossible_travel: WeightedChoice.of<Severity>([['medium', 60], ['high', 40]]),
  credential_stuffing: WeightedChoice.of<Severity>([['medium', 40], ['high', 55], ['critical', 5]]),
  privilege_escalation: WeightedChoice.of<Severity>([['high', 80], ['critical', 20]]),
  malware: WeightedChoice.of<Severity>([['medium', 30], ['high', 60], ['critical', 10]]),
  data_exfiltration: WeightedChoice.of<Severity>([['high', 60], ['critical', 40]]),
  other: WeightedChoice.of<Severity>([['low', 50], ['medium', 45], ['high', 5]]),
};

const INHABITED = COUNTRIES.filter((country) => !['AQ', 'BV', 'GS', 'HM', 'IO', 'TF', 'UM'].includes(country.code));

function describe(category: AlertCategory, user: string, ip: string, country: string): string {
  switch (category) {
    case 'failed_login': return `Failed login for ${user} from ${ip} (${country}).`;
    case 'credential_stuffing': return `Many accounts tried from ${ip} (${country}) with leaked credentials.`;
    case 'impossible_travel': return `Login for ${user} from ${country} shortly after a login from the home country.`;
    case 'new_device': return `Login for ${user} from a device not seen before.`;
    case 'privilege_escalation': return `Role change for ${user} outside the approval flow.`;
    case 'malware': return `Device of ${user} reports a known malware signature.`;
    case 'data_exfiltration': return `Unusual export volume by ${user} to ${ip}.`;
    case 'other': return `Unusual session activity for ${user}.`;
  }
}

/** Builds one alert at `at`; inside a burst or surge, pass its IP and the forced category. */
export function buildSecurityAlert(
  world: World,
  at: number,
  campaign?: { burst: Burst; category: AlertCategory },
): { event: GeneratedEvent<'security_alert'>; customer: Customer } {
  const { prng, population } = world;
  const customer = population.customers[prng.int(population.customers.length)]!;
  const category = campaign?.category ?? CATEGORIES.sample(prng);
  const severity = SEVERITY[category].sample(prng);

  let ip: string;
  let country: string;
  if (campaign !== undefined) {
    ip = campaign.burst.ip;
    country = campaign.burst.country;
  } else if (category === 'failed_login' && prng.chance(0.5)) {
    ip = prng.pick(customer.ips);
    country = customer.country.code;
  } else if (category === 'impossible_travel') {
    ip = ipAddress(prng);
    const far = prng.pick(INHABITED);
    country = far.code === customer.country.code ? 'SG' : far.code;
  } else if (category === 'new_device' || category === 'other') {
    ip = ipAddress(prng);
    country = customer.country.code;
  } else {
    ip = ipv4(prng);
    country = prng.pick(ATTACKER_COUNTRIES);
  }

  const data: SecurityAlertData = {
    alert_id: randomId(prng, 'alr_', 16),
    severity,
    category,
    account_id: prng.chance(0.6) ? prng.pick(customer.accounts).id : undefined,
    user_id: prng.chance(0.9) ? customer.userId : undefined,
    ip,
    country,
    description: prng.chance(0.75) ? describe(category, customer.userId, ip, country) : undefined,
  };
  return { event: envelope(world, 'security_alert', at, data), customer };
}

/** Starts a burst from a fresh attacker IP. */
export function newBurst(world: World): Burst {
  const { prng } = world;
  return { ip: ipv4(prng), country: prng.pick(ATTACKER_COUNTRIES) };
}
