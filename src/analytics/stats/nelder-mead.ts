/**
 * Nelder–Mead downhill simplex minimisation (Nelder & Mead 1965), with the standard
 * coefficients: reflection 1, expansion 2, contraction ½, shrink ½. Unconstrained; callers map
 * bounded parameters through a logistic transform.
 */

/** Result of {@link nelderMead}. */
export interface Minimum {
  x: number[];
  value: number;
  iterations: number;
}

/**
 * Minimises `f` from `start`. The initial simplex is `start` plus `step` along each axis.
 * Stops when the spread of function values across the simplex falls below
 * `tolerance`·(|best| + 1e-12) and the simplex is smaller than `tolerance` in every coordinate,
 * or after `maxIterations`. Non-finite values of `f` count as +∞.
 */
export function nelderMead(
  f: (x: number[]) => number,
  start: readonly number[],
  options: { step?: number; maxIterations?: number; tolerance?: number } = {},
): Minimum {
  const step = options.step ?? 0.5;
  const maxIterations = options.maxIterations ?? 500;
  const tolerance = options.tolerance ?? 1e-8;
  const dimension = start.length;
  const evaluate = (x: number[]): number => {
    const value = f(x);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };
  let simplex = [start.slice(), ...start.map((_, axis) => start.map((value, j) => (j === axis ? value + step : value)))].map((x) => ({
    x,
    value: evaluate(x),
  }));
  const combine = (a: number[], b: number[], t: number): number[] => a.map((value, j) => value + t * (b[j]! - value));

  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((a, b) => a.value - b.value);
    const best = simplex[0]!;
    const worst = simplex[dimension]!;
    const secondWorst = simplex[dimension - 1]!;
    const spread = Math.abs(worst.value - best.value);
    const size = Math.max(...simplex.map((vertex) => Math.max(...vertex.x.map((value, j) => Math.abs(value - best.x[j]!)))));
    if (spread <= tolerance * (Math.abs(best.value) + 1e-12) && size <= tolerance) break;

    const centroid = best.x.map((_, j) => simplex.slice(0, dimension).reduce((sum, vertex) => sum + vertex.x[j]!, 0) / dimension);
    const reflected = combine(centroid, worst.x, -1);
    const reflectedValue = evaluate(reflected);
    if (reflectedValue < best.value) {
      const expanded = combine(centroid, worst.x, -2);
      const expandedValue = evaluate(expanded);
      simplex[dimension] = expandedValue < reflectedValue ? { x: expanded, value: expandedValue } : { x: reflected, value: reflectedValue };
      continue;
    }
    if (reflectedValue < secondWorst.value) {
      simplex[dimension] = { x: reflected, value: reflectedValue };
      continue;
    }
    const outside = reflectedValue < worst.value;
    const contracted = outside ? combine(centroid, reflected, 0.5) : combine(centroid, worst.x, 0.5);
    const contractedValue = evaluate(contracted);
    if (contractedValue < (outside ? reflectedValue : worst.value)) {
      simplex[dimension] = { x: contracted, value: contractedValue };
      continue;
    }
    simplex = simplex.map((vertex, i) => {
      if (i === 0) return vertex;
      const x = combine(best.x, vertex.x, 0.5);
      return { x, value: evaluate(x) };
    });
  }
  simplex.sort((a, b) => a.value - b.value);
  return { x: simplex[0]!.x, value: simplex[0]!.value, iterations };
}

/** Logistic map of the real line onto (low, high). */
export function toInterval(theta: number, low: number, high: number): number {
  return low + (high - low) / (1 + Math.exp(-theta));
}

/** Inverse of {@link toInterval}. */
export function fromInterval(value: number, low: number, high: number): number {
  const share = Math.min(1 - 1e-9, Math.max(1e-9, (value - low) / (high - low)));
  return Math.log(share / (1 - share));
}
