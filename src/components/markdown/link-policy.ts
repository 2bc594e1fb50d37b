/** What a link in untrusted Markdown may be: a web page (opened apart from this page) or an e-mail address. */
export type SafeLink = { readonly kind: 'web' | 'mail'; readonly href: string };

/**
 * The link `href` may become, or null when it must stay text: anything but absolute http(s) and
 * mailto URLs — `javascript:`, `data:`, `vbscript:`, protocol-relative and page-relative ones —
 * so a comment can neither run script nor pose as a link into this app.
 */
export function safeLink(href: string | null | undefined): SafeLink | null {
  if (!href) return null;
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    // Not absolute: relative to a page the writer does not know.
    return null;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'web', href: url.href };
  if (url.protocol === 'mailto:') return { kind: 'mail', href: url.href };
  return null;
}
