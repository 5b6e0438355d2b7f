import { describe, expect, it } from 'vitest';
import {
  additiveErrorCoefficient,
  dampedErrorCoefficient,
  dampedForecast,
  fitDamped,
  fitHoltWinters,
  holtWintersForecast,
  multiStepError,
  runDamped,
  runHoltWinters,
  type Seasonality,
  type SmoothingParams,
} from '../../../src/analytics/stats/holt-winters.js';
import { nelderMead } from '../../../src/analytics/stats/nelder-mead.js';
import { normals } from './synthetic-series.js';

/**
 * Holt–Winters written independently from FPP §7.3 with explicit arrays per time step, and the
 * initialisation described in holt-winters.ts: trend from the two first season means, seasonal
 * indices averaged over the two seasons around the trend line, normalised, level projected back.
 */
function naiveHoltWinters(y: readonly number[], m: number, p: SmoothingParams, kind: Seasonality, horizon: number) {
  const mean1 = y.slice(0, m).reduce((a, b) => a + b, 0) / m;
  const mean2 = y.slice(m, 2 * m).reduce((a, b) => a + b, 0) / m;
  const b0 = (mean2 - mean1) / m;
  let s0: number[] = [];
  for (let i = 0; i < m; i++) {
    const line1 = mean1 + b0 * (i - (m - 1) / 2);
    const line2 = mean2 + b0 * (i - (m - 1) / 2);
    s0.push(kind === 'additive' ? (y[i]! - line1 + y[i + m]! - line2) / 2 : (y[i]! / line1 + y[i + m]! / line2) / 2);
  }
  const avg = s0.reduce((a, b) => a + b, 0) / m;
  s0 = s0.map((s) => (kind === 'additive' ? s - avg : s / avg));
  // level[t], trend[t], season[t] indexed from t = −1 (level, trend) and t = −m…−1 (season).
  const level: number[] = [mean1 - (b0 * (m + 1)) / 2];
  const trend: number[] = [b0];
  const season: number[] = [...s0]; // season[k] is s_{k − m}
  const fitted: number[] = [];
  for (let t = 0; t < y.length; t++) {
    const l = level[t]!;
    const b = trend[t]!;
    const s = season[t]!; // s_{t−m}
    fitted.push(kind === 'additive' ? l + b + s : (l + b) * s);
    const newLevel = kind === 'additive' ? p.alpha * (y[t]! - s) + (1 - p.alpha) * (l + b) : (p.alpha * y[t]!) / s + (1 - p.alpha) * (l + b);
    level.push(newLevel);
    trend.push(p.beta * (newLevel - l) + (1 - p.beta) * b);
    season.push(kind === 'additive' ? p.gamma * (y[t]! - l - b) + (1 - p.gamma) * s : (p.gamma * y[t]!) / (l + b) + (1 - p.gamma) * s);
  }
  const n = y.length;
  const ahead = Array.from({ length: horizon }, (_, k) => {
    const h = k + 1;
    // Forecast of time n − 1 + h uses s_{n−1+h−m(k+1)}, stored at that index + m.
    const s = season[n - 1 + h - m * (Math.floor((h - 1) / m) + 1) + m]!;
    const base = level[n]! + h * trend[n]!;
    return kind === 'additive' ? base + s : base * s;
  });
  return { fitted, ahead, level, trend, season };
}

describe('Holt–Winters recursions', () => {
  it('reproduces a few steps computed by hand (additive, m = 2, α = β = γ = ½)', () => {
    // Init: season means 15 and 17 → b = 1; indices −4.5, 4.5; ℓ₋₁ = 15 − 1·1.5 = 13.5.
    // t=0…3 are forecast exactly (10, 20, 12, 22); t=4: ŷ = 17.5 + 1 − 4.5 = 14, y = 15 →
    // ℓ = 19, b = 1.25, s₀ = −4; t=5: ŷ = 19 + 1.25 + 4.5 = 24.75, y = 23 → ℓ = 19.375,
    // b = 0.8125, s₁ = 3.625; forecasts 19.375 + 0.8125 − 4 = 16.1875 and 19.375 + 1.625 + 3.625 = 24.625.
    const y = [10, 20, 12, 22, 15, 23];
    const run = runHoltWinters(y, 2, { alpha: 0.5, beta: 0.5, gamma: 0.5 }, 'additive');
    expect(run.forecasts).toEqual([10, 20, 12, 22, 14, 24.75]);
    expect(run.sse).toBeCloseTo(1 + 1.75 ** 2, 12);
    expect(run.state.level).toBeCloseTo(19.375, 12);
    expect(run.state.trend).toBeCloseTo(0.8125, 12);
    expect(holtWintersForecast(run.state, 2, 'additive')).toEqual([16.1875, 24.625]);
  });

  it.each(['additive', 'multiplicative'] as const)('matches the independent array implementation (%s)', (kind) => {
    const z = normals(41);
    const y = Array.from({ length: 24 * 6 + 7 }, (_, t) => 300 + 0.8 * t + (kind === 'additive' ? 60 * Math.sin((2 * Math.PI * t) / 24) : 0) + 5 * z())
      .map((v, t) => (kind === 'multiplicative' ? v * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 24)) : v));
    const params = { alpha: 0.31, beta: 0.07, gamma: 0.22 };
    const naive = naiveHoltWinters(y, 24, params, kind, 30);
    const run = runHoltWinters(y, 24, params, kind);
    run.forecasts.forEach((f, t) => expect(f).toBeCloseTo(naive.fitted[t]!, 8));
    holtWintersForecast(run.state, 30, kind).forEach((f, k) => expect(f).toBeCloseTo(naive.ahead[k]!, 8));
  });

  it('reproduces damped-trend steps computed by hand (α = β = ½, φ = 0.9)', () => {
    // ℓ = 3, b = 2 after y₀, y₁; t=2: ŷ = 4.8 → ℓ = 4.4, b = 1.6; t=3: ŷ = 5.84 → ℓ = 5.92,
    // b = 1.48; t=4: ŷ = 7.252 → ℓ = 7.126, b = 1.269; ahead: 7.126 + 0.9·1.269 = 8.2681,
    // 7.126 + 1.71·1.269 = 9.29599.
    const params = { alpha: 0.5, beta: 0.5, phi: 0.9 };
    const run = runDamped([1, 3, 4, 6, 7], params);
    expect(run.forecasts[0]).toBeCloseTo(4.8, 12);
    expect(run.forecasts[1]).toBeCloseTo(5.84, 12);
    expect(run.forecasts[2]).toBeCloseTo(7.252, 12);
    expect(run.sse).toBeCloseTo(0.64 + 0.0256 + 0.063504, 12);
    const ahead = dampedForecast(run.state, 2, 0.9);
    expect(ahead[0]).toBeCloseTo(8.2681, 10);
    expect(ahead[1]).toBeCloseTo(9.29599, 10);
  });
});

describe('multi-step criterion', () => {
  it('equals the mean squared 1…H-step error computed from the independent implementation', () => {
    const z = normals(45);
    const y = Array.from({ length: 24 * 5 }, (_, t) => 80 + 0.4 * t + 15 * Math.cos((2 * Math.PI * t) / 24) + 3 * z());
    const params = { alpha: 0.2, beta: 0.1, gamma: 0.3 };
    const m = 24;
    const H = 6;
    const { level, trend, season } = naiveHoltWinters(y, m, params, 'additive', 0);
    let total = 0;
    let count = 0;
    for (let t = 0; t < y.length; t++) {
      for (let k = 0; k < H && t + k < y.length; k++) {
        // From the state before y_t (ℓ_{t−1} = level[t]); the season for time t + k is the latest
        // one set before t at that position: s_{t+k−m(⌊k/m⌋+1)}, stored at that index + m.
        const s = season[t + k - m * (Math.floor(k / m) + 1) + m]!;
        total += (y[t + k]! - (level[t]! + (k + 1) * trend[t]! + s)) ** 2;
        count++;
      }
    }
    expect(multiStepError(y, m, params, 'additive', H)).toBeCloseTo(total / count, 8);
  });
});

describe('parameter fitting', () => {
  it('Nelder–Mead finds the minimum of the Rosenbrock function', () => {
    const result = nelderMead(([x, y]) => (1 - x!) ** 2 + 100 * (y! - x! * x!) ** 2, [-1.2, 1], { maxIterations: 2000, tolerance: 1e-12 });
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
  });

  it('fits Holt–Winters at least as well as a grid search over α, β, γ', () => {
    const z = normals(42);
    const y = Array.from({ length: 24 * 8 }, (_, t) => 500 + 1.5 * t + 80 * Math.sin((2 * Math.PI * t) / 24) + 12 * z());
    const grid = [0.02, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9];
    let best = Number.POSITIVE_INFINITY;
    for (const alpha of grid) for (const beta of grid) for (const gamma of grid) {
      if (gamma > 1 - alpha) continue;
      const fitted = naiveHoltWinters(y, 24, { alpha, beta, gamma }, 'additive', 0).fitted;
      best = Math.min(best, fitted.reduce((sum, f, t) => sum + (y[t]! - f) ** 2, 0));
    }
    const fit = fitHoltWinters(y, 24, 'additive');
    expect(fit.run.sse).toBeLessThanOrEqual(best * 1.0001);
    expect(fit.sigma2).toBeCloseTo(fit.run.sse / (y.length - 3), 10);
    expect(fit.params.gamma).toBeLessThanOrEqual(1 - fit.params.alpha);
  });

  it('fits damped trend with φ inside [0.8, 0.98]', () => {
    const z = normals(43);
    const y = Array.from({ length: 60 }, (_, t) => 100 + 30 * (1 - 0.9 ** t) + z());
    const fit = fitDamped(y);
    expect(fit.params.phi).toBeGreaterThanOrEqual(0.8);
    expect(fit.params.phi).toBeLessThanOrEqual(0.98);
    // No grid point does better.
    let best = Number.POSITIVE_INFINITY;
    for (const alpha of [0.1, 0.3, 0.5, 0.7, 0.9]) for (const beta of [0.05, 0.1, 0.3, 0.6]) for (const phi of [0.8, 0.85, 0.9, 0.95, 0.98]) {
      best = Math.min(best, runDamped(y, { alpha, beta, phi }).sse);
    }
    expect(fit.run.sse).toBeLessThanOrEqual(best * 1.0001);
  });
});

describe('forecast error variance (against the published closed forms)', () => {
  it('additive Holt–Winters: σ²[1 + (h−1){α² + αβh + β²h(2h−1)/6} + γk{2α + γ + βm(k+1)}] (FPP 2nd ed., Table 7.8)', () => {
    const p = { alpha: 0.4, beta: 0.15, gamma: 0.2 };
    const m = 7;
    const beta = p.alpha * p.beta; // the ETS-form β
    let sum = 0;
    for (let h = 1; h <= 40; h++) {
      if (h > 1) sum += additiveErrorCoefficient(h - 1, p, m) ** 2;
      const k = Math.floor((h - 1) / m);
      const published = 1 + (h - 1) * (p.alpha ** 2 + p.alpha * beta * h + (beta ** 2 * h * (2 * h - 1)) / 6) + p.gamma * k * (2 * p.alpha + p.gamma + beta * m * (k + 1));
      expect(1 + sum).toBeCloseTo(published, 10);
    }
  });

  it('damped trend: the ETS(A,Ad,N) closed form (FPP 2nd ed., Table 7.8)', () => {
    const p = { alpha: 0.6, beta: 0.2, phi: 0.9 };
    const beta = p.alpha * p.beta;
    const { alpha, phi } = p;
    let sum = 0;
    for (let h = 1; h <= 30; h++) {
      if (h > 1) sum += dampedErrorCoefficient(h - 1, p) ** 2;
      const published = 1 + alpha ** 2 * (h - 1)
        + ((beta * phi * h) / (1 - phi) ** 2) * (2 * alpha * (1 - phi) + beta * phi)
        - ((beta * phi * (1 - phi ** h)) / ((1 - phi) ** 2 * (1 - phi ** 2))) * (2 * alpha * (1 - phi ** 2) + beta * phi * (1 + 2 * phi - phi ** h));
      expect(1 + sum).toBeCloseTo(published, 9);
    }
  });

  it('agrees with the spread of simulated sample paths (additive Holt–Winters)', () => {
    // Simulate the model forward from a fixed state with N(0, 1) one-step errors, using the
    // smoothing equations, and compare the empirical variance of the h-step value with the formula.
    const p = { alpha: 0.3, beta: 0.2, gamma: 0.3 };
    const m = 4;
    const z = normals(44);
    const paths = 20_000;
    const horizons = [1, 4, 5, 9];
    const samples = horizons.map(() => [] as number[]);
    for (let path = 0; path < paths; path++) {
      let l = 10;
      let b = 1;
      const s = [1, -1, 2, -2];
      for (let h = 1; h <= 9; h++) {
        const pos = (h - 1) % m;
        const [oldLevel, oldTrend] = [l, b];
        const y = oldLevel + oldTrend + s[pos]! + z();
        l = p.alpha * (y - s[pos]!) + (1 - p.alpha) * (oldLevel + oldTrend);
        b = p.beta * (l - oldLevel) + (1 - p.beta) * oldTrend;
        s[pos] = p.gamma * (y - oldLevel - oldTrend) + (1 - p.gamma) * s[pos]!;
        const index = horizons.indexOf(h);
        if (index >= 0) samples[index]!.push(y);
      }
    }
    horizons.forEach((h, index) => {
      const values = samples[index]!;
      const mean = values.reduce((a, v) => a + v, 0) / values.length;
      const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
      let formula = 1;
      for (let j = 1; j < h; j++) formula += additiveErrorCoefficient(j, p, m) ** 2;
      expect(variance / formula).toBeGreaterThan(0.95);
      expect(variance / formula).toBeLessThan(1.05);
    });
  });
});
