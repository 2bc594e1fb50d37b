import { describe, expect, it } from 'vitest';
import type { RenderReport } from '../react/index.js';
import { renderFanOut } from './render-fan-out.js';

const report = (version: number, component: string, hook: RenderReport['hook'] = 'useEntity'): RenderReport => ({ version, component, hook, everyChange: hook === 'useKalphiteStore' });

describe('renderFanOut', () => {
  it('groups reports by write, newest first, the busiest component first, counting each instance', () => {
    const { writes } = renderFanOut([report(3, 'Row'), report(3, 'Whole', 'useKalphiteStore'), report(3, 'Row'), report(4, 'Whole', 'useKalphiteStore')]);
    expect(writes).toEqual([
      { version: 4, renders: 1, components: [{ component: 'Whole', renders: 1, hooks: ['useKalphiteStore'], everyChange: true }] },
      {
        version: 3,
        renders: 3,
        components: [
          { component: 'Row', renders: 2, hooks: ['useEntity'], everyChange: false },
          { component: 'Whole', renders: 1, hooks: ['useKalphiteStore'], everyChange: true },
        ],
      },
    ]);
  });

  it('marks components on every change: by their hook, or seen in every one of at least three writes', () => {
    const two = [report(1, 'Header', 'useCount'), report(2, 'Header', 'useCount')];
    expect(renderFanOut(two).everyChange).toEqual([]);
    const three = [...two, report(3, 'Header', 'useCount'), report(3, 'Whole', 'useKalphiteStore'), report(2, 'Row')];
    expect(renderFanOut(three).everyChange).toEqual(['Header', 'Whole']);
  });

  it('is empty without reports', () => {
    expect(renderFanOut([])).toEqual({ writes: [], everyChange: [] });
  });
});
