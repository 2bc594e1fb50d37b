import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const cache = join(root, 'node_modules', '.cache');
let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * Module augmentation is global to a program, so the app that registers its schema is compiled on
 * its own: a fixture beside the sources, checked by tsc. `@ts-expect-error` lines fail the check
 * when the hooks are not typed by the registered schema (an unused one is an error).
 */
describe('the Register interface types the hooks from the app’s schema', () => {
  it('compiles an app that registers its schema, and refuses its type errors', { timeout: 240_000 }, async () => {
    await mkdir(cache, { recursive: true });
    dir = await mkdtemp(join(cache, 'kalphite-register-'));
    const react = relative(dir, join(root, 'src', 'react', 'index.js')).split('\\').join('/');
    await writeFile(
      join(dir, 'app.tsx'),
      `import { z } from 'zod';
import { useCount, useEntities, useEntity, useQuery } from '${react}';

const schema = { comment: z.object({ filePath: z.string(), line: z.number() }), review: z.object({ status: z.enum(['pending', 'done']) }) };

declare module '${react}' {
  interface Register {
    schema: typeof schema;
    strict: true;
  }
}

export function View() {
  const rows = useQuery('comment', { where: { filePath: '/a' }, orderBy: 'line' });
  const line: number = rows[0]!.data.line;
  // @ts-expect-error: filePath holds a string
  useQuery('comment', { where: { filePath: 1 } });
  // @ts-expect-error: strict, and the schema names no such type
  useEntities('note');
  const path: string = useEntities('comment')[0]!.data.filePath;
  const one = useEntity('x');
  const status: 'pending' | 'done' | undefined = one?.type === 'review' ? one.data.status : undefined;
  const pending: number = useCount('review', { where: { status: 'pending' } });
  return \`\${line}\${path}\${status}\${pending}\`;
}
`,
    );
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ extends: relative(dir, join(root, 'tsconfig.json')), include: ['app.tsx'] }));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--noEmit']).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result).toBe('');
  });
});
