import { useEffect, useState } from 'react';

/** The current time, refreshed every `intervalMs`; a fixed `now` (stories, tests) disables the clock. */
export function useNow(fixed: number | undefined, intervalMs = 5000): number {
  const [now, setNow] = useState(() => fixed ?? Date.now());
  useEffect(() => {
    if (fixed !== undefined) return;
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [fixed, intervalMs]);
  return fixed ?? now;
}
