import { describe, expect, it } from 'vitest';
import { ensureGrammar, grammarReady, highlightLines } from './highlighter.js';
import { languageOf } from './languages.js';

describe('highlighting', () => {
  it('knows the languages of the files a review shows', () => {
    expect(['/a.ts', 'b.tsx', 'c.mjs', 'd.json', 'e.css', 'README.md', 'Makefile'].map(languageOf)).toEqual(['typescript', 'tsx', 'javascript', 'json', 'css', 'markdown', null]);
  });

  it('loads a grammar on demand and cuts tokens into lines, a multi-line comment included', async () => {
    expect(grammarReady('typescript')).toBe(false);
    await ensureGrammar('typescript');
    const lines = highlightLines(['/* one', 'two */ const x: number = 1;'], 'typescript');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual([{ text: '/* one', kinds: ['comment'] }]);
    expect(lines[1]![0]).toEqual({ text: 'two */', kinds: ['comment'] });
    expect(lines[1]!.find((t) => t.text === 'const')?.kinds).toEqual(['keyword']);
    expect(lines[1]!.find((t) => t.text === 'number')?.kinds).toEqual(['builtin']);
    expect(lines[1]!.map((t) => t.text).join('')).toBe('two */ const x: number = 1;');
  });

  it.each([
    ['json', '{"a": 1}', 'property'],
    ['css', '.a { color: red; }', 'selector'],
    ['markdown', '# Title', 'title'],
    ['javascript', 'let a = "s";', 'string'],
  ] as const)('highlights %s', async (language, text, kind) => {
    await ensureGrammar(language);
    expect(highlightLines([text], language)[0]!.some((t) => t.kinds.includes(kind))).toBe(true);
  });
});
