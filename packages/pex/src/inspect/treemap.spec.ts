import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { squarify } from './treemap.js';

describe('squarify', () => {
  it('gives every item one box, with area proportional to its value, tiling the rectangle', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 120 }),
        (values) => {
          const items = values.map((value, i) => ({ key: `k${i}`, value }));
          const boxes = squarify(items, 1200, 560);
          expect(boxes.map((b) => b.key).sort()).toEqual(items.map((i) => i.key).sort());
          const total = values.reduce((a, v) => a + Math.max(v, 1), 0);
          let area = 0;
          for (const b of boxes) {
            expect(b.x).toBeGreaterThanOrEqual(-1e-6);
            expect(b.y).toBeGreaterThanOrEqual(-1e-6);
            expect(b.x + b.w).toBeLessThanOrEqual(1200 + 1e-6);
            expect(b.y + b.h).toBeLessThanOrEqual(560 + 1e-6);
            expect(b.w * b.h).toBeCloseTo((Math.max(b.value, 1) / total) * 1200 * 560, 3);
            area += b.w * b.h;
          }
          expect(area).toBeCloseTo(1200 * 560, 3);
        },
      ),
    );
  });

  it('keeps boxes close to square and puts the largest first', () => {
    const boxes = squarify(
      [6, 6, 4, 3, 2, 2, 1].map((value, i) => ({ key: String(i), value })),
      6,
      4,
    );
    expect(boxes[0]?.key).toBe('0');
    for (const b of boxes) expect(Math.max(b.w / b.h, b.h / b.w)).toBeLessThan(3);
  });
});
