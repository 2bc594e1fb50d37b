import type { TokenLine } from './highlight/highlighter.js';

/** One line of code: its tokens as spans with `kalphite-tok-*` classes (the theme's colours), or its plain text. */
export function CodeLine({ text, tokens }: { readonly text: string; readonly tokens: TokenLine | undefined }) {
  if (text === '') return <> </>;
  if (!tokens) return <>{text}</>;
  return (
    <>
      {tokens.map((token, i) =>
        token.kinds.length === 0 ? (
          token.text
        ) : (
          <span key={i} className={token.kinds.map((kind) => `kalphite-tok-${kind}`).join(' ')}>
            {token.text}
          </span>
        ),
      )}
    </>
  );
}
