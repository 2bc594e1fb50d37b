import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { Kalphite } from '../engine/index.js';
import { KalphiteDevtoolsPanel } from './panel/panel.js';
import type { FaultInjector } from './faults.js';
import { createDevtoolsUiStore, type DevtoolsDock } from './ui-state.js';

export interface KalphiteDevtoolsProps {
  readonly kalphite: Kalphite;
  /** Where the toggle button sits (default bottom-right). */
  readonly buttonPosition?: 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';
  /** Where the panel docks the first time (later, the user's choice is remembered). */
  readonly initialDock?: DevtoolsDock;
  /** The engine's fetch wrapper from `createFaultInjector()`: adds the Faults tab. */
  readonly faults?: FaultInjector;
}

/** A toggle button in a corner and a docked, resizable panel; its state persists in localStorage. */
export function KalphiteDevtoolsFloating({ kalphite, buttonPosition = 'bottom-right', initialDock, faults }: KalphiteDevtoolsProps) {
  const ui = useMemo(() => {
    const store = createDevtoolsUiStore();
    if (initialDock && !globalThis.localStorage?.getItem('kalphite-devtools:ui')) store.getState().set({ dock: initialDock });
    return store;
  }, [initialDock]);
  const open = useStore(ui, (s) => s.open);
  const dock = useStore(ui, (s) => s.dock);
  const size = useStore(ui, (s) => s.size);
  const set = useStore(ui, (s) => s.set);
  const [vertical, horizontal] = buttonPosition.split('-') as ['top' | 'bottom', 'left' | 'right'];
  const horizontalDock = dock === 'left' || dock === 'right';
  return (
    <>
      <button
        type="button"
        className="kalphite-button"
        aria-expanded={open}
        onClick={() => set({ open: !open })}
        style={{ position: 'fixed', [vertical]: 12, [horizontal]: 12, zIndex: 2147483001 }}
      >
        {open ? 'Close Kalphite devtools' : 'Kalphite devtools'}
      </button>
      {open && (
        <div
          style={{
            position: 'fixed',
            zIndex: 2147483000,
            [dock]: 0,
            ...(horizontalDock ? { top: 0, bottom: 0, width: size } : { left: 0, right: 0, height: size }),
            borderTop: '1px solid #d1d9e0',
            background: 'var(--kalphite-bg, #fff)',
            boxShadow: '0 0 12px rgba(0,0,0,.2)',
          }}
        >
          <label className="kalphite-visually-hidden">
            Panel size
            <input type="range" min={160} max={900} value={size} onChange={(e) => set({ size: Number(e.target.value) })} />
          </label>
          <KalphiteDevtoolsPanel kalphite={kalphite} ui={ui} {...(faults && { faults })} />
        </div>
      )}
    </>
  );
}
