/**
 * The grid for a terminal size: rows get their declared share of the height, widgets their
 * weight's share of the width. Pure, so it is tested without a terminal.
 */
import type { LoadedDashboard } from './load.js';
import { CHROME_LINES } from './schema.js';

export interface WidgetBox {
  id: string;
  width: number;
  height: number;
}

export interface GridLayout {
  /** Set when the terminal is below the dashboard's minimum size. */
  tooSmall?: string;
  rows: Array<{ height: number; widgets: WidgetBox[] }>;
}

/** Splits `total` by `weights`, rounding down and giving the remainder to the last parts. */
export function split(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((weight) => Math.floor((total * weight) / sum));
  let rest = total - parts.reduce((a, b) => a + b, 0);
  for (let index = parts.length - 1; rest > 0; index = (index - 1 + parts.length) % parts.length, rest--) parts[index]!++;
  return parts;
}

/** `reserved`: terminal lines kept free below the screen (the live app leaves its last line empty). */
export function gridLayout(dashboard: LoadedDashboard, columns: number, lines: number, zoomed?: string, reserved = 0): GridLayout {
  const { min_columns: minColumns, min_rows: minRows } = dashboard.config;
  if (columns < minColumns || lines + reserved < minRows) {
    return { tooSmall: `The terminal is ${columns}×${lines + reserved}; this dashboard needs at least ${minColumns}×${minRows}. Enlarge the window (or lower min_columns/min_rows).`, rows: [] };
  }
  const gridLines = lines - CHROME_LINES;
  if (zoomed) return { rows: [{ height: gridLines, widgets: [{ id: zoomed, width: columns, height: gridLines }] }] };
  const rowHeights = split(gridLines, dashboard.config.rows.map((row) => row.height));
  return {
    rows: dashboard.config.rows.map((row, rowIndex) => {
      const widgets = dashboard.widgets.filter((widget) => widget.row === rowIndex);
      const widths = split(columns, widgets.map((widget) => widget.config.width));
      return { height: rowHeights[rowIndex]!, widgets: widgets.map((widget, index) => ({ id: widget.id, width: widths[index]!, height: rowHeights[rowIndex]! })) };
    }),
  };
}
