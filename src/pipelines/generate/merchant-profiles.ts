/**
 * How merchants of each category behave: how common they are in shops and online, and the
 * log-normal distribution of their ticket sizes (median in USD, log-space sigma). Every code is
 * one of the shared reference MCCs.
 */

/** Spending profile of one merchant category. */
export interface CategoryProfile {
  /** ISO 18245 code from src/reference/merchant-categories.ts. */
  mcc: string;
  /** Share of physical (card-present) merchants. */
  physical: number;
  /** Share of online (e-commerce) merchants. */
  online: number;
  /** Median ticket in USD. */
  medianUsd: number;
  /** Log-space standard deviation of the ticket size. */
  sigma: number;
}

type Row = readonly [mcc: string, physical: number, online: number, medianUsd: number, sigma: number];

const ROWS: readonly Row[] = [
  ['5411', 20, 2, 45, 0.8],
  ['5812', 12, 0, 38, 0.7],
  ['5814', 12, 6, 13, 0.5],
  ['5541', 8, 0, 48, 0.5],
  ['5542', 4, 0, 45, 0.5],
  ['5912', 5, 1, 22, 0.8],
  ['4111', 8, 1, 3.5, 0.5],
  ['4121', 3, 5, 20, 0.6],
  ['5311', 3, 1, 70, 0.9],
  ['5651', 4, 5, 62, 0.8],
  ['5999', 4, 3, 30, 1.0],
  ['5499', 6, 0, 10, 0.7],
  ['5813', 4, 0, 28, 0.7],
  ['5921', 1.5, 0.3, 30, 0.7],
  ['5732', 1.5, 3, 160, 1.1],
  ['5251', 2, 0.5, 40, 0.9],
  ['7230', 1.5, 0, 35, 0.6],
  ['7832', 1, 0.5, 25, 0.4],
  ['7523', 2, 0.5, 9, 0.7],
  ['8011', 0.7, 0, 120, 0.8],
  ['8021', 0.5, 0, 180, 0.9],
  ['5942', 1, 1, 21, 0.6],
  ['5462', 2, 0, 8, 0.6],
  ['7011', 1, 3, 190, 0.7],
  ['7995', 0.5, 2, 22, 1.1],
  ['5944', 0.4, 0.3, 300, 1.2],
  ['5200', 1.5, 0.5, 80, 1.0],
  ['5945', 0.8, 0.8, 30, 0.8],
  ['5995', 1, 0.5, 35, 0.7],
  ['5399', 0, 10, 40, 1.0],
  ['5964', 0, 3, 50, 0.9],
  ['5818', 0, 6, 9, 0.8],
  ['5815', 0, 3, 10, 0.6],
  ['5816', 0, 3, 15, 0.9],
  ['5817', 0, 3, 6, 0.7],
  ['4899', 0, 5, 14, 0.3],
  ['5968', 0, 4, 15, 0.5],
  ['4511', 0.3, 3, 320, 0.8],
  ['4722', 0.3, 2, 450, 0.9],
  ['4814', 0.5, 3, 45, 0.5],
  ['4900', 0, 3, 90, 0.6],
  ['6300', 0, 1, 95, 0.7],
  ['5977', 0.8, 1.5, 35, 0.7],
  ['7512', 0.3, 1, 160, 0.7],
];

export const CATEGORY_PROFILES: readonly CategoryProfile[] = ROWS.map(([mcc, physical, online, medianUsd, sigma]) => ({
  mcc,
  physical,
  online,
  medianUsd,
  sigma,
}));

/** Cash withdrawals at ATMs (MCC 6011). */
export const ATM_PROFILE: CategoryProfile = { mcc: '6011', physical: 0, online: 0, medianUsd: 100, sigma: 0.7 };

/** Account-to-account transfers: no merchant, no category. */
export const TRANSFER_MEDIAN_USD = 250;
export const TRANSFER_SIGMA = 1.2;
