/**
 * Walker's alias method: draws an index with given weights in O(1), two random numbers per draw.
 * Used for every weighted choice on the hot path (customers, merchants, categories, countries).
 */
import type { Prng } from './prng.js';

export class AliasTable {
  private readonly probability: Float64Array;
  private readonly alias: Uint32Array;

  /** @param weights non-negative weights with a positive sum. */
  constructor(weights: readonly number[]) {
    const n = weights.length;
    if (n === 0) throw new Error('AliasTable needs at least one weight');
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    if (!(total > 0)) throw new Error('AliasTable needs a positive total weight');
    this.probability = new Float64Array(n);
    this.alias = new Uint32Array(n);
    const scaled = weights.map((weight) => (weight * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((value, index) => (value < 1 ? small : large).push(index));
    while (small.length > 0 && large.length > 0) {
      const less = small.pop() as number;
      const more = large.pop() as number;
      this.probability[less] = scaled[less] as number;
      this.alias[less] = more;
      scaled[more] = (scaled[more] as number) + (scaled[less] as number) - 1;
      (scaled[more] < 1 ? small : large).push(more);
    }
    for (const index of large) this.probability[index] = 1;
    for (const index of small) this.probability[index] = 1;
  }

  get size(): number {
    return this.probability.length;
  }

  /** Draws an index in [0, size). */
  sample(prng: Prng): number {
    const column = prng.int(this.probability.length);
    return prng.float() < (this.probability[column] as number) ? column : (this.alias[column] as number);
  }
}

/** A weighted choice over values, backed by an alias table. */
export class WeightedChoice<T> {
  private readonly table: AliasTable;

  constructor(private readonly values: readonly T[], weights: readonly number[]) {
    if (values.length !== weights.length) throw new Error('WeightedChoice needs one weight per value');
    this.table = new AliasTable(weights);
  }

  /** Builds a choice from [value, weight] pairs. */
  static of<T>(pairs: readonly (readonly [T, number])[]): WeightedChoice<T> {
    return new WeightedChoice(pairs.map(([value]) => value), pairs.map(([, weight]) => weight));
  }

  sample(prng: Prng): T {
    return this.values[this.table.sample(prng)] as T;
  }
}
