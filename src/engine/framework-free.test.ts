import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// As zustand proves its vanilla core: any import of React from the engine would hit this.
vi.mock('react', () => {
  throw new Error('the engine core imported react');
});
vi.mock('react-dom', () => {
  throw new Error('the engine core imported react-dom');
});

describe('the engine core is framework-free', () => {
  it('runs end to end with react mocked to nothing', async () => {
    const { createKalphite } = await import('./index.js');
    const kalphite = await createKalphite();
    kalphite.store.entities.set('a', { id: 'a', type: 't', data: {} });
    await kalphite.flush();
    expect(kalphite.inspect().outbox.length).toBe(1);
    await kalphite.close();
  });

  it('imports no React, DOM globals or Node-only modules in its source (engine and protocol)', () => {
    const dirs = [import.meta.dirname, join(import.meta.dirname, '../protocol')];
    // The engine's layers are folders: read them all.
    const sources = dirs.flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => join(dir, f)),
    );
    expect(sources.length).toBeGreaterThan(10);
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from ['"](react|react-dom)(\/.*)?['"]/);
      expect(text, file).not.toMatch(/from ['"]node:/);
      expect(text, file).not.toMatch(/\b(window|localStorage|sessionStorage)\./);
    }
  });
});
