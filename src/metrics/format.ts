/** Values as people read them, by the metric's declared format. Machine output stays raw. */
import type { MetricDefinition } from './schema.js';

export function formatMetricValue(value: number | null | undefined, format: MetricDefinition['format'], currency = 'USD'): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  switch (format) {
    case 'percent': return `${(value * 100).toFixed(2)}%`;
    case 'currency': return `${value.toLocaleString('en-US', { maximumFractionDigits: 0 })} ${currency}`;
    case 'duration': return value >= 100 ? value.toLocaleString('en-US', { maximumFractionDigits: 0 }) : value.toFixed(2);
    case 'number': return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 4 });
  }
}
