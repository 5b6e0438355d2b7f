/** What every widget component receives. */
import type { FeedState } from '../../../streams/feed-client.js';
import type { PlacedWidget } from '../../load.js';
import type { WidgetState } from '../../store.js';

export interface WidgetView {
  /** Selected item: point, bar, row or country (index into the widget's items). */
  selected: number;
  /** Table page (0-based). */
  page: number;
  sort?: { column: string; descending: boolean };
}

export interface WidgetProps {
  widget: PlacedWidget;
  state: WidgetState;
  /** Size of the body (inside the frame, below the title). */
  width: number;
  height: number;
  focused: boolean;
  view: WidgetView;
  feed: FeedState | null;
}

export const EMPTY_VIEW: WidgetView = { selected: 0, page: 0 };
