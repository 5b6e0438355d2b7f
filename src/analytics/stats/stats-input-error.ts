/**
 * The one error the statistics library throws for input it cannot use: too few points, NaN or
 * infinite values, duplicates, gaps, bad options. It is a UserError (BAD_ARGUMENT), so a command
 * prints it as one line with its hint and exits 1.
 */
import { UserError } from '../../errors.js';

/** Input a statistical routine cannot use; the message says what is wrong and what the method needs. */
export class StatsInputError extends UserError {
  constructor(message: string, hint?: string) {
    super('BAD_ARGUMENT', message, { hint });
    this.name = 'StatsInputError';
  }
}

/**
 * Throws unless a method has at least `needed` points.
 *
 * @param method - the method's name as the user knows it, e.g. `Holt-Winters (season 24)`.
 * @param have - the number of points given.
 * @param needed - the minimum number of points.
 * @param why - what the minimum is made of, e.g. `two full seasons of 24`.
 */
export function requirePoints(method: string, have: number, needed: number, why: string): void {
  if (have < needed) {
    throw new StatsInputError(
      `${method} needs at least ${needed} points (${why}); the series has ${have}.`,
      'Widen the time range or use a finer grain.',
    );
  }
}

/** Throws unless `value` is an integer within [min, max]. */
export function requireInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `between ${min} and ${max}`;
    throw new StatsInputError(`${name} must be a whole number ${range}, got ${value}.`);
  }
}

/** Throws unless `value` is a finite number within (min, max) or [min, max]. */
export function requireNumber(name: string, value: number, min: number, max: number, inclusive = false): void {
  const inside = inclusive ? value >= min && value <= max : value > min && value < max;
  if (!Number.isFinite(value) || !inside) {
    const range = inclusive ? `[${min}, ${max}]` : `(${min}, ${max})`;
    throw new StatsInputError(`${name} must be a number in ${range}, got ${value}.`);
  }
}
