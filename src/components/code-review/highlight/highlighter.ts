import type { Element, ElementContent, Root } from 'hast';
import { refractor } from 'refractor/core';
import { loadGrammar, type Language } from './languages.js';

/** A run of text and the token kinds it is inside (Prism's names: `keyword`, `string`…), outermost first. */
export interface Token {
  readonly text: string;
  readonly kinds: readonly string[];
}

export type TokenLine = readonly Token[];

const loading = new Map<Language, Promise<void>>();

/** Whether `language`'s grammar is ready, so highlighting is synchronous. */
export function grammarReady(language: Language): boolean {
  return refractor.registered(language);
}

/** Loads a grammar once (with the grammars it builds on); a failed load may be tried again. */
export function ensureGrammar(language: Language): Promise<void> {
  if (grammarReady(language)) return Promise.resolve();
  let pending = loading.get(language);
  if (!pending) {
    pending = loadGrammar(language).then(
      (grammar) => {
        refractor.register(grammar.default);
      },
      (reason: unknown) => {
        loading.delete(language);
        throw reason;
      },
    );
    loading.set(language, pending);
  }
  return pending;
}

/**
 * Highlights `lines` as one text (so a comment or a string spanning lines is coloured as one) and
 * cuts the tokens back into lines. The grammar must be ready (`ensureGrammar`).
 */
export function highlightLines(lines: readonly string[], language: Language): TokenLine[] {
  const tree: Root = refractor.highlight(lines.join('\n'), language);
  const out: Token[][] = [[]];
  const walk = (nodes: readonly ElementContent[] | Root['children'], kinds: readonly string[]) => {
    for (const node of nodes) {
      if (node.type === 'text') {
        const parts = node.value.split('\n');
        parts.forEach((part, i) => {
          if (i > 0) out.push([]);
          if (part !== '') out.at(-1)!.push({ text: part, kinds });
        });
      } else if (node.type === 'element') walk(node.children, [...kinds, ...tokenKinds(node)]);
    }
  };
  walk(tree.children, []);
  return out;
}

function tokenKinds(element: Element): string[] {
  const names = element.properties.className;
  if (!Array.isArray(names)) return [];
  return names.map(String).filter((name) => name !== 'token');
}
