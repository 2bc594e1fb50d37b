import type { Syntax } from 'refractor/core';

/** The languages the review highlights, each grammar its own chunk, loaded when a file first needs it. */
export type Language = 'typescript' | 'tsx' | 'javascript' | 'jsx' | 'json' | 'css' | 'markdown';

const GRAMMARS: Record<Language, () => Promise<{ default: Syntax }>> = {
  typescript: () => import('refractor/typescript'),
  tsx: () => import('refractor/tsx'),
  javascript: () => import('refractor/javascript'),
  jsx: () => import('refractor/jsx'),
  json: () => import('refractor/json'),
  css: () => import('refractor/css'),
  markdown: () => import('refractor/markdown'),
};

const BY_EXTENSION: Record<string, Language> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'jsx',
  json: 'json',
  css: 'css',
  md: 'markdown',
  markdown: 'markdown',
  mdx: 'markdown',
};

/** The language of a file by its extension, or null (shown without colours). */
export function languageOf(filePath: string): Language | null {
  const extension = /\.([^./]+)$/.exec(filePath)?.[1]?.toLowerCase();
  return (extension && BY_EXTENSION[extension]) || null;
}

export function isLanguage(name: string): name is Language {
  return Object.hasOwn(GRAMMARS, name);
}

export function loadGrammar(language: Language): Promise<{ default: Syntax }> {
  return GRAMMARS[language]();
}
