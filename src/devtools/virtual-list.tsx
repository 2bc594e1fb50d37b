import { useState, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  readonly items: readonly T[];
  /** Accessible name of the list. */
  readonly label: string;
  /** Every row has this height in px: what makes windowing exact and cheap. */
  readonly rowHeight: number;
  /** Height of the scrolling viewport in px. */
  readonly height: number;
  readonly getKey: (item: T) => string;
  readonly renderRow: (item: T, index: number) => ReactNode;
  /** Shown instead of the list when there are no items. */
  readonly empty?: ReactNode;
}

const OVERSCAN = 6;

/**
 * A list that renders only the rows in view (plus a few either side), so 10,000 entities or
 * a fast event stream cost the same as a screenful. Rows carry their position for assistive tech.
 */
export function VirtualList<T>({ items, label, rowHeight, height, getKey, renderRow, empty }: VirtualListProps<T>) {
  const [scrollTop, setScrollTop] = useState(0);
  if (items.length === 0 && empty !== undefined) return <>{empty}</>;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let index = first; index < last; index++) {
    const item = items[index]!;
    rows.push(
      <li
        key={getKey(item)}
        className="kalphite-devtools-row"
        aria-setsize={items.length}
        aria-posinset={index + 1}
        style={{ top: index * rowHeight, height: rowHeight }}
      >
        {renderRow(item, index)}
      </li>,
    );
  }
  return (
    // Focusable so the list scrolls from the keyboard too.
    <div className="kalphite-devtools-viewport" tabIndex={0} role="group" aria-label={`${label} (scrollable)`} style={{ height }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <ul className="kalphite-devtools-rows" aria-label={label} style={{ height: items.length * rowHeight }}>
        {rows}
      </ul>
    </div>
  );
}
