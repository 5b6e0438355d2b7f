/** Date flags: ISO 8601 dates (midnight UTC) or times; one clear error otherwise. */
import { UserError } from '../errors.js';

export function parseDateFlag(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) {
    throw new UserError('BAD_ARGUMENT', `--${flag}: "${value}" is not a date or time.`, { hint: 'Use ISO 8601, e.g. 2026-11-24 or 2026-11-24T06:00:00Z.' });
  }
  return date;
}
