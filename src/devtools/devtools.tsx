import { useMemo, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { useStore } from 'zustand';
import { KalphiteStyles } from '../components/theme/styles.js';
import type { Kalphite } from '../engine/index.js';
import type { FaultInjector } from './faults.js';
import { KalphiteDevtoolsPanel } from './lazy-panel.js';
import { DevtoolsStyles } from './panel/styles.js';
import { createDevtoolsUiStore, UI_STORAGE_KEY, type DevtoolsDock } from './ui-state.js';

export interface KalphiteDevtoolsProps {
  readonly kalphite: Kalphite;
  /** Where the toggle button sits (default bottom-right). */
  readonly buttonPosition?: 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';
  /** Where the panel docks the first time (later, the user's choice is remembered). */
  readonly initialDock?: DevtoolsDock;
  /** The engine's fetch wrapper from `createFaultInjector()`: adds the Faults tab. */
  readonly faults?: FaultInjector;
}

const MIN_SIZE = 160;
const DOCKS: readonly DevtoolsDock[] = ['bottom', 'right', 'left', 'top'];
/** Which arrow key grows the panel, per dock (the handle sits on the panel's inner edge). */
const GROW_KEY: Record<DevtoolsDock, string> = { bottom: 'ArrowUp', top: 'ArrowDown', right: 'ArrowLeft', left: 'ArrowRight' };
const SHRINK_KEY: Record<DevtoolsDock, string> = { bottom: 'ArrowDown', top: 'ArrowUp', right: 'ArrowRight', left: 'ArrowLeft' };

/** A toggle button in a corner and a docked, resizable panel; its state persists in localStorage. */
export function KalphiteDevtoolsFloating({ kalphite, buttonPosition = 'bottom-right', initialDock, faults }: KalphiteDevtoolsProps) {
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
  const [vertical, horizontal] = buttonPosition.split('-') as ['top' | 'bottom', 'left' | 'right'];
  const sideways = dock === 'left' || dock === 'right';
  const maxSize = () => Math.max(MIN_SIZE, (sideways ? globalThis.innerWidth : globalThis.innerHeight) - 40) || 900;
  const resize = (next: number) => set({ size: Math.round(Math.min(maxSize(), Math.max(MIN_SIZE, next))) });

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
  // An open panel docked on the button's side would cover it: the button moves to the panel's edge.
  const clear = (side: DevtoolsDock) => (open && dock === side ? size : 0);
  // The handle sits on the edge facing the page.
  const handleFirst = dock === 'bottom' || dock === 'right';

  return (
    <>
      {/* In a .kalphite box, so the theme's variables reach the button wherever the app puts it. */}
      <div className="kalphite" style={{ position: 'fixed', [vertical]: 12 + clear(vertical), [horizontal]: 12 + clear(horizontal), zIndex: 2147483001, background: 'none' }}>
        <KalphiteStyles />
        <button type="button" className="kalphite-button" aria-expanded={open} onClick={() => set({ open: !open })}>
          {open ? 'Close Kalphite devtools' : 'Kalphite devtools'}
        </button>
      </div>
      {open && (
        <div
          className="kalphite kalphite-devtools-dock"
          data-dock={dock}
          style={{
            [dock]: 0,
            flexDirection: sideways ? 'row' : 'column',
            ...(sideways ? { top: 0, bottom: 0, width: size } : { left: 0, right: 0, height: size }),
          }}
        >
          <DevtoolsStyles />
          {handleFirst && handle}
          <div className="kalphite-devtools-content">
            <label className="kalphite-muted" style={{ display: 'block', padding: '4px 8px 0' }}>
              Dock{' '}
              <select value={dock} onChange={(e) => set({ dock: e.target.value as DevtoolsDock })}>
                {DOCKS.map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
            <KalphiteDevtoolsPanel kalphite={kalphite} ui={ui} {...(faults && { faults })} />
          </div>
          {!handleFirst && handle}
        </div>
      )}
    </>
  );
}
