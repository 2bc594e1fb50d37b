import { useEffect, useMemo, useState } from 'react';
import { ensureGrammar, grammarReady, highlightLines, type TokenLine } from './highlighter.js';
import type { Language } from './languages.js';

/**
 * `lines` highlighted in `language`, or null until its grammar has loaded (the caller shows plain
 * text meanwhile) and for files of no known language. A grammar that fails to load leaves the
 * text plain: colours are a reading aid, never a reason to hide code.
 */
export function useHighlightedLines(lines: readonly string[], language: Language | null): readonly TokenLine[] | null {
  const [ready, setReady] = useState(() => language !== null && grammarReady(language));
  useEffect(() => {
    if (language === null || grammarReady(language)) {
      setReady(language !== null);
      return;
    }
    let live = true;
    setReady(false);
    ensureGrammar(language).then(
      () => live && setReady(true),
      // Plain text is the fallback; the failed chunk is retried on the next mount.
      () => live && setReady(false),
    );
    return () => {
      live = false;
    };
  }, [language]);
  return useMemo(() => (ready && language !== null ? highlightLines(lines, language) : null), [ready, language, lines]);
}
