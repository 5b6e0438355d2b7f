/**
 * Robust location and scale: the median and the median absolute deviation (MAD), scaled to be
 * consistent with the standard deviation of normal data.
 */
import { median, medianAbsoluteDeviation } from 'simple-statistics';

/** MAD × 1.4826 estimates σ for normal data (1.4826 ≈ 1/Φ⁻¹(0.75)). */
export const MAD_TO_SIGMA = 1.4826;

/** Mean absolute deviation × 1.2533 (√(π/2)) estimates σ for normal data; the fallback when the MAD is 0. */
export const MEAN_ABSOLUTE_DEVIATION_TO_SIGMA = 1.2533;

/** A robust centre and scale, and how the scale was obtained. */
export interface RobustScale {
  /** The median. */
  center: number;
  /** σ estimate: 1.4826·MAD, or 1.2533·mean absolute deviation when the MAD is 0, or 0 when every value equals the median. */
  scale: number;
  /**
   * `mad` normally. `mean_absolute_deviation` when more than half the values are equal, so the
   * MAD is 0 (the fallback of Iglewicz & Hoaglin's modified z-score, as in IBM SPSS).
   * `none` when all values are equal: there is no spread, every score is 0.
   */
  method: 'mad' | 'mean_absolute_deviation' | 'none';
}

/** Median and σ estimate of `values` (at least one value). */
export function robustScale(values: readonly number[]): RobustScale {
  const list = [...values];
  const center = median(list);
  const mad = medianAbsoluteDeviation(list);
  if (mad > 0) return { center, scale: MAD_TO_SIGMA * mad, method: 'mad' };
  const meanAbsolute = list.reduce((sum, value) => sum + Math.abs(value - center), 0) / list.length;
  if (meanAbsolute > 0) return { center, scale: MEAN_ABSOLUTE_DEVIATION_TO_SIGMA * meanAbsolute, method: 'mean_absolute_deviation' };
  return { center, scale: 0, method: 'none' };
}

/** |x − center| / scale, or 0 when the scale is 0 (then every value equals the centre). */
export function robustScore(value: number, center: number, scale: number): number {
  return scale > 0 ? Math.abs(value - center) / scale : 0;
}
