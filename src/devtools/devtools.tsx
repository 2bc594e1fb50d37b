import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useStore } from 'zustand';
import { KalphiteStyles } from '../components/theme/styles.js';
import type { Kalphite } from '../engine/index.js';
import type { FaultInjector } from './faults.js';
import { FrameStyles } from './frame-styles.js';
import { useHostTheme, type DevtoolsTheme } from './host-theme.js';
import { KalphiteDevtoolsPanel } from './lazy-panel.js';
import { DevtoolsToggle } from './toggle.js';
import { createDevtoolsUiStore, UI_STORAGE_KEY, type DevtoolsDock } from './ui-state.js';

export interface KalphiteDevtoolsProps {
  readonly kalphite: Kalphite;
  /** Where the toggle button sits (default bottom-right). */
  readonly buttonPosition?: 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';
  /** Where the panel docks the first time (later, the user's choice is remembered). */
  readonly initialDock?: DevtoolsDock;
  /** The engine's fetch wrapper from `createFaultInjector()`: adds the Faults tab. */
  readonly faults?: FaultInjector;
  /** `auto` (default) follows the host: its `data-kalphite-theme`, its `color-scheme`, or the system's. */
  readonly theme?: DevtoolsTheme;
}

const MIN_SIZE = 160;
const DOCKS: readonly DevtoolsDock[] = ['bottom', 'right', 'left', 'top'];
/** Which arrow key grows the panel, per dock (the handle sits on the panel's inner edge). */
const GROW_KEY: Record<DevtoolsDock, string> = { bottom: 'ArrowUp', top: 'ArrowDown', right: 'ArrowLeft', left: 'ArrowRight' };
const SHRINK_KEY: Record<DevtoolsDock, string> = { bottom: 'ArrowDown', top: 'ArrowUp', right: 'ArrowRight', left: 'ArrowLeft' };

/**
 * A toggle button in a corner and a docked, resizable panel; its state persists in localStorage.
 * While the panel is open the toggle gives way to the panel's own header, which holds the dock
 * choice and the close button, so nothing is drawn over anything else whatever the dock.
 */
export function KalphiteDevtoolsFloating({ kalphite, buttonPosition = 'bottom-right', initialDock, faults, theme = 'auto' }: KalphiteDevtoolsProps) {
  const ui = useMemo(() => {
    const store = createDevtoolsUiStore();
    if (initialDock && !globalThis.localStorage?.getItem(UI_STORAGE_KEY)) store.getState().set({ dock: initialDock });
    return store;
  }, [initialDock]);
  const open = useStore(ui, (s) => s.open);
  const dock = useStore(ui, (s) => s.dock);
  const size = useStore(ui, (s) => s.size);
  const set = useStore(ui, (s) => s.set);
  const dragging = useRef(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const anchor = useRef<HTMLDivElement>(null);
  // Focus follows the user's hand: into the panel when they open it, back to the toggle when they close it.
  const [moveFocus, setMoveFocus] = useState(false);
  const resolved = useHostTheme(anchor, theme);
  const [vertical, horizontal] = buttonPosition.split('-') as ['top' | 'bottom', 'left' | 'right'];
  const sideways = dock === 'left' || dock === 'right';
  const maxSize = () => Math.max(MIN_SIZE, (sideways ? globalThis.innerWidth : globalThis.innerHeight) - 40) || 900;
  const resize = (next: number) => set({ size: Math.round(Math.min(maxSize(), Math.max(MIN_SIZE, next))) });
  useEffect(() => {
    if (!open && moveFocus) {
      toggle.current?.focus();
      setMoveFocus(false);
    }
  }, [open, moveFocus]);

  const onHandleKey = (event: KeyboardEvent) => {
    const step = event.shiftKey ? 80 : 16;
    if (event.key === GROW_KEY[dock]) resize(size + step);
    else if (event.key === SHRINK_KEY[dock]) resize(size - step);
    else if (event.key === 'Home') resize(MIN_SIZE);
    else if (event.key === 'End') resize(maxSize());
    else return;
    event.preventDefault();
  };
  const onPointerMove = (event: PointerEvent) => {
    if (!dragging.current) return;
    const { clientX: x, clientY: y } = event;
    resize(dock === 'bottom' ? globalThis.innerHeight - y : dock === 'top' ? y : dock === 'right' ? globalThis.innerWidth - x : x);
  };

  const handle = (
    <div
      role="separator"
      tabIndex={0}
      aria-label="Resize Kalphite devtools"
      aria-orientation={sideways ? 'vertical' : 'horizontal'}
      aria-valuenow={size}
      aria-valuemin={MIN_SIZE}
      aria-valuemax={maxSize()}
      className="kalphite-devtools-resize"
      onKeyDown={onHandleKey}
      onPointerDown={(event) => {
        dragging.current = true;
        event.currentTarget.setPointerCapture?.(event.pointerId);
      }}
      onPointerMove={onPointerMove}
      onPointerUp={() => (dragging.current = false)}
      onPointerCancel={() => (dragging.current = false)}
    />
  );
  // The handle sits on the edge facing the page.
  const handleFirst = dock === 'bottom' || dock === 'right';
  const chrome = (
    <>
      <label className="kalphite-devtools-dock-choice">
        <span className="kalphite-muted">Dock</span>{' '}
        <select className="kalphite-devtools-select" value={dock} onChange={(e) => set({ dock: e.target.value as DevtoolsDock })}>
          {DOCKS.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className="kalphite-button kalphite-devtools-close"
        aria-label="Close Kalphite devtools"
        title="Close"
        autoFocus={moveFocus}
        onClick={() => {
          setMoveFocus(true);
          set({ open: false });
        }}
      >
        <span aria-hidden="true">✕</span>
      </button>
    </>
  );

  return (
    <>
      {/* Where the devtools sit in the host's tree: the theme is read from here. */}
      <div ref={anchor} hidden />
      {!open && (
        // In a .kalphite box, so the theme's variables reach the button wherever the app puts it.
        <div className="kalphite" data-kalphite-theme={resolved} style={{ position: 'fixed', [vertical]: 12, [horizontal]: 12, zIndex: 2147483001, background: 'none' }}>
          <KalphiteStyles />
          <FrameStyles />
          <DevtoolsToggle
            ref={toggle}
            kalphite={kalphite}
            onOpen={() => {
              setMoveFocus(true);
              set({ open: true });
            }}
          />
        </div>
      )}
      {open && (
        <div
          className="kalphite kalphite-devtools-dock"
          data-dock={dock}
          data-kalphite-theme={resolved}
          style={{
            [dock]: 0,
            flexDirection: sideways ? 'row' : 'column',
            ...(sideways ? { top: 0, bottom: 0, width: size } : { left: 0, right: 0, height: size }),
          }}
        >
          <FrameStyles />
          {handleFirst && handle}
          <div className="kalphite-devtools-content">
            <KalphiteDevtoolsPanel kalphite={kalphite} ui={ui} theme={resolved} chrome={chrome} {...(faults && { faults })} />
          </div>
          {!handleFirst && handle}
        </div>
      )}
    </>
  );
}
