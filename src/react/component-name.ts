/**
 * The name of the component calling a hook, read from a stack trace in development.
 *
 * React 19 has no public API naming the component that is rendering: `captureOwnerStack()` names
 * its owners (where it was created), not itself, and React DevTools and why-did-you-render read the
 * private fiber. The JavaScript stack does name it: below the hooks (functions named `use…`, by the
 * rules of hooks) the first function named with a capital letter is the component. Development
 * builds keep function names; what has none (an anonymous arrow) is `Anonymous`.
 */
export function componentNameFromStack(stack: string | undefined): string {
  if (stack === undefined) return ANONYMOUS;
  for (const line of stack.split('\n')) {
    const name = frameName(line);
    if (name === null || name.startsWith('use') || INTERNAL.has(name)) continue;
    // The first frame that is neither a hook nor ours: the component, or React itself (no name to give).
    return /^[A-Z]/.test(name) ? name : ANONYMOUS;
  }
  return ANONYMOUS;
}

/** Reads the stack here: call it from the hook's body (not from a callback React calls). */
export function callingComponentName(): string {
  const limit = Error.stackTraceLimit;
  // V8 keeps 10 frames by default; hooks nest (useEntity → the selection → the reporter) and a
  // user's own hooks add more. Other engines have no such limit.
  if (typeof limit !== 'number') return componentNameFromStack(new Error().stack);
  Error.stackTraceLimit = 40;
  try {
    return componentNameFromStack(new Error().stack);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

const ANONYMOUS = 'Anonymous';

/** This module's own frames, above the hooks (`scripts/check-package.mjs` checks a production build holds none of these names). */
const INTERNAL = new Set(['Error', 'callingComponentName', 'componentNameFromStack']);

/** V8 (`    at Object.Name [as x] (url)`, `    at Name (url)`) and Firefox/Safari (`Name@url`); null for the message line. */
function frameName(line: string): string | null {
  const v8 = /^\s*at (?:async )?(?:new )?([^\s(]+)(?: \[as [^\]]+\])? \(/.exec(line);
  const other = v8 ? null : /^([^@\s]*)@/.exec(line);
  const qualified = v8?.[1] ?? other?.[1];
  if (qualified === undefined || qualified === '') return null;
  // `Object.Comment`, `Module.Comment`, `Comment/<` (Firefox's inner functions): the last plain name.
  const parts = qualified.replace(/[/<]+$/, '').split(/[./]/);
  return parts[parts.length - 1] || null;
}
