import type { ComponentProps, ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import { safeLink } from './link-policy.js';

export interface MarkdownProps {
  /** Untrusted Markdown (a comment, a summary). */
  readonly children: string;
}

/**
 * Renders untrusted Markdown as React elements: raw HTML stays text (react-markdown without
 * rehype-raw turns it into text nodes), a link is a link only to an http(s) or mailto URL and opens
 * apart from this page (`rel="noopener noreferrer"`), images are links to them (a comment never
 * makes the page fetch something), and headings are bold paragraphs (the page's outline is the
 * app's).
 */
export function Markdown({ children }: MarkdownProps) {
  return (
    <div className="kalphite-md">
      <ReactMarkdown components={COMPONENTS} urlTransform={keepUrl}>
        {children}
      </ReactMarkdown>
    </div>
  );
}

// The components below decide what a URL may become; react-markdown's own transform would turn a
// refused one into href="" (still a link).
const keepUrl = (url: string) => url;

function Link({ href, children }: ComponentProps<'a'>) {
  const link = safeLink(href);
  if (!link) return <span className="kalphite-md-unsafe-link">{children}</span>;
  if (link.kind === 'mail') return <a href={link.href}>{children}</a>;
  return (
    <a href={link.href} target="_blank" rel="noopener noreferrer">
      {children}
      <span className="kalphite-visually-hidden"> (opens in a new tab)</span>
    </a>
  );
}

function Image({ src, alt }: ComponentProps<'img'>) {
  const link = typeof src === 'string' ? safeLink(src) : null;
  const label = `image${alt ? `: ${alt}` : ''}`;
  if (!link || link.kind !== 'web') return <span>[{label}]</span>;
  return (
    <a href={link.href} target="_blank" rel="noopener noreferrer">
      [{label}]
    </a>
  );
}

function Heading({ children }: { readonly children?: ReactNode }) {
  return (
    <p>
      <strong>{children}</strong>
    </p>
  );
}

const COMPONENTS: Components = {
  a: Link,
  img: Image,
  h1: Heading,
  h2: Heading,
  h3: Heading,
  h4: Heading,
  h5: Heading,
  h6: Heading,
};
