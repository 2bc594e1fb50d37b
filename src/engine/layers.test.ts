import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The engine's floors, top to bottom (LAYOUT.md): a file imports only from its own floor or below,
 * so a write reads downward and nothing reaches back up.
 */
const FLOORS: readonly (readonly string[])[] = [
  ['index.ts'],
  ['kalphite.ts', 'instance.ts', 'event-log.ts', 'ledger.ts', 'spaces.ts'],
  ['options.ts'],
  ['initial-snapshot.ts'],
  ['tabs/'],
  ['replica.ts'],
  ['sync/'],
  ['persist/'],
  ['events.ts'],
  ['store/', 'query/'],
  ['errors.ts', 'environment.ts', 'event-bus.ts', 'single-flight.ts', 'backoff.ts'],
];

const root = import.meta.dirname;
const floorOf = (file: string): number => FLOORS.findIndex((floor) => floor.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry)));

describe('the engine layers', () => {
  const sources = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

  it('every source file has a floor', () => {
    expect(sources.filter((file) => floorOf(file) < 0)).toEqual([]);
  });

  it('nothing imports from a floor above its own', () => {
    const upward: string[] = [];
    for (const file of sources) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) {
        const target = relative(root, normalize(join(dirname(join(root, file)), spec!))).replace(/\.js$/, '.ts');
        if (target.startsWith('..')) continue; // protocol/, outside the engine
        if (floorOf(target) < floorOf(file)) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
