import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { DevtoolsTab } from '../ui-state.js';

export interface ViewChoice {
  readonly id: DevtoolsTab;
  readonly label: string;
}

export interface ViewSwitcherProps {
  readonly views: readonly ViewChoice[];
  readonly current: DevtoolsTab;
  readonly onSelect: (view: DevtoolsTab) => void;
  /** Ids of the tabs and their panel are derived from it (`${baseId}-${view}-tab`). */
  readonly baseId: string;
  /** From `useViewsLayout`. */
  readonly layout: ViewsLayout;
}

export interface ViewsLayout {
  readonly asMenu: boolean;
  /** The tabs' row reports its natural width here once rendered. */
  readonly onMeasure: (width: number) => void;
}

/** At or below this panel width the views are always a menu. */
export const NARROW_WIDTH = 360;

/**
 * Tabs when they fit on one line in a panel `width` wide (null: not measurable, tabs), else a menu:
 * a narrow dock never wraps them into a grid. Whether they fit is measured from the tabs themselves
 * the first time they render (an estimate until then), so adding a view needs no new breakpoint.
 */
export function useViewsLayout(views: readonly ViewChoice[], width: number | null): ViewsLayout {
  const [tabsWidth, setTabsWidth] = useState<number | null>(null);
  const needed = tabsWidth ?? views.length * 92;
  return { asMenu: width !== null && (width <= NARROW_WIDTH || width < needed), onMeasure: setTabsWidth };
}

/** The views as a row of tabs, or as a menu button (a WAI-ARIA menu of radio items). */
export function ViewSwitcher({ views, current, onSelect, baseId, layout }: ViewSwitcherProps) {
  return layout.asMenu ? (
    <ViewMenu views={views} current={current} onSelect={onSelect} />
  ) : (
    <ViewTabs views={views} current={current} onSelect={onSelect} baseId={baseId} onMeasure={layout.onMeasure} />
  );
}

function ViewTabs({ views, current, onSelect, baseId, onMeasure }: Omit<ViewSwitcherProps, 'layout'> & { onMeasure: (width: number) => void }) {
  const list = useRef<HTMLDivElement>(null);
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  // The row's natural width: its buttons side by side, with their gaps and the panel's padding,
  // whether or not they wrap or overflow now (measured each time the views change).
  const key = views.map((v) => v.id).join(' ');
  useLayoutEffect(() => {
    const buttons = tabs.current.slice(0, views.length);
    onMeasure(buttons.reduce((sum, button) => sum + (button?.getBoundingClientRect().width ?? 0) + 2, 24));
  }, [key, onMeasure, views.length]);
  const onKey = (event: KeyboardEvent, index: number) => {
    const next =
      event.key === 'ArrowRight' ? (index + 1) % views.length
      : event.key === 'ArrowLeft' ? (index - 1 + views.length) % views.length
      : event.key === 'Home' ? 0
      : event.key === 'End' ? views.length - 1
      : null;
    if (next === null) return;
    event.preventDefault();
    onSelect(views[next]!.id);
    tabs.current[next]?.focus();
  };
  return (
    <div ref={list} role="tablist" aria-label="Devtools views" className="kalphite-devtools-tabs">
      {views.map((view, index) => (
        <button
          key={view.id}
          ref={(el) => {
            tabs.current[index] = el;
          }}
          type="button"
          role="tab"
          id={`${baseId}-${view.id}-tab`}
          aria-selected={current === view.id}
          aria-controls={`${baseId}-${view.id}-panel`}
          tabIndex={current === view.id ? 0 : -1}
          className="kalphite-devtools-tab"
          onClick={() => onSelect(view.id)}
          onKeyDown={(event) => onKey(event, index)}
        >
          {view.label}
        </button>
      ))}
    </div>
  );
}

/** States: closed → open (focus on the current view's item) → closed (a choice, Escape, Tab or a click outside; focus back on the button). */
function ViewMenu({ views, current, onSelect }: Omit<ViewSwitcherProps, 'layout' | 'baseId'>) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const items = useRef<(HTMLLIElement | null)[]>([]);
  const box = useRef<HTMLDivElement>(null);
  const currentIndex = Math.max(0, views.findIndex((v) => v.id === current));
  // Focus moves to the current view's item when the menu opens (not when the view changes under it).
  useEffect(() => {
    if (!open) return;
    items.current[currentIndex]?.focus();
    const away = (event: PointerEvent) => {
      if (!box.current?.contains(event.target as Node)) setOpen(false);
    };
    const doc = box.current?.ownerDocument;
    doc?.addEventListener('pointerdown', away);
    return () => doc?.removeEventListener('pointerdown', away);
  }, [open]);
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const choose = (view: DevtoolsTab) => {
    onSelect(view);
    close(true);
  };
  const onItemKey = (event: KeyboardEvent, index: number) => {
    const next =
      event.key === 'ArrowDown' ? (index + 1) % views.length
      : event.key === 'ArrowUp' ? (index - 1 + views.length) % views.length
      : event.key === 'Home' ? 0
      : event.key === 'End' ? views.length - 1
      : null;
    if (next !== null) {
      event.preventDefault();
      items.current[next]?.focus();
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      choose(views[index]!.id);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close(true);
    } else if (event.key === 'Tab') close(false);
  };
  const label = views[currentIndex]?.label ?? '';
  return (
    <div ref={box} className="kalphite-devtools-view-menu">
      <button
        ref={button}
        type="button"
        className="kalphite-button kalphite-devtools-view-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen(!open)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        <span className="kalphite-muted">View</span> <strong>{label}</strong> <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul id={menuId} role="menu" aria-label="Devtools views" className="kalphite-devtools-menu">
          {views.map((view, index) => (
            <li
              key={view.id}
              ref={(el) => {
                items.current[index] = el;
              }}
              role="menuitemradio"
              aria-checked={view.id === current}
              tabIndex={-1}
              onClick={() => choose(view.id)}
              onKeyDown={(event) => onItemKey(event, index)}
            >
              {view.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
