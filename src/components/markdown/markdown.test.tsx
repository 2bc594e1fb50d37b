import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { safeLink } from './link-policy.js';
import { Markdown } from './markdown.js';

afterEach(cleanup);

describe('Markdown', () => {
  it('renders emphasis, code and lists as elements', () => {
    const { container } = render(<Markdown>{'**bold** and `code`\n\n- one\n- two'}</Markdown>);
    expect(container.querySelector('strong')?.textContent).toBe('bold');
    expect(container.querySelector('code')?.textContent).toBe('code');
    expect(container.querySelectorAll('li')).toHaveLength(2);
  });

  it('keeps raw HTML as text', () => {
    const { container } = render(<Markdown>{'Look: <img src=x onerror=alert(1)> <script>alert(2)</script>'}</Markdown>);
    expect(container.querySelector('img, script')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('a javascript: link is not a link; a web link opens apart with noopener', () => {
    const { container } = render(<Markdown>{'[run](javascript:alert(1)) [data](data:text/html,x) [site](https://example.com/a)'}</Markdown>);
    const links = container.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]?.getAttribute('href')).toBe('https://example.com/a');
    expect(links[0]?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(container.textContent).toContain('run');
  });

  it('an image is a link to it, never fetched', () => {
    const { container } = render(<Markdown>{'![a chart](https://example.com/c.png)'}</Markdown>);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('a')?.textContent).toBe('[image: a chart]');
  });
});

describe('safeLink', () => {
  it.each([
    ['javascript:alert(1)', null],
    [' JaVaScRiPt:alert(1)', null],
    ['//evil.example', null],
    ['/relative', null],
    ['mailto:a@b.c', 'mail'],
    ['http://example.com', 'web'],
  ])('%s', (href, kind) => {
    expect(safeLink(href)?.kind ?? null).toBe(kind);
  });
});
