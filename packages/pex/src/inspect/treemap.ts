/**
 * Squarified treemap layout (Bruls, Huizing, van Wijk 2000): boxes whose areas are proportional
 * to their values, laid out in rows that keep aspect ratios close to 1. Pure and deterministic.
 */

export interface TreemapItem {
  key: string;
  value: number;
}

export interface TreemapBox {
  key: string;
  value: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Worst aspect ratio of a row of `areas` laid along a side of length `side`. */
function worst(areas: number[], side: number): number {
  const total = areas.reduce((a, b) => a + b, 0);
  let max = 0;
  for (const a of areas) {
    const r = Math.max((side * side * a) / (total * total), (total * total) / (side * side * a));
    if (r > max) max = r;
  }
  return max;
}

/** Lays a row of items along the shorter side of `rect`; returns the boxes and what is left. */
function layRow(row: Array<TreemapItem & { area: number }>, rect: Rect): [TreemapBox[], Rect] {
  const total = row.reduce((a, b) => a + b.area, 0);
  const boxes: TreemapBox[] = [];
  if (rect.w >= rect.h) {
    const width = rect.h > 0 ? total / rect.h : 0;
    let y = rect.y;
    for (const item of row) {
      const h = width > 0 ? item.area / width : 0;
      boxes.push({ key: item.key, value: item.value, x: rect.x, y, w: width, h });
      y += h;
    }
    return [boxes, { x: rect.x + width, y: rect.y, w: rect.w - width, h: rect.h }];
  }
  const height = rect.w > 0 ? total / rect.w : 0;
  let x = rect.x;
  for (const item of row) {
    const w = height > 0 ? item.area / height : 0;
    boxes.push({ key: item.key, value: item.value, x, y: rect.y, w, h: height });
    x += w;
  }
  return [boxes, { x: rect.x, y: rect.y + height, w: rect.w, h: rect.h - height }];
}

/**
 * Lays `items` out in a `width` × `height` rectangle, largest first (ties by key). Every item
 * gets a box; a value below 1 counts as 1 so that an empty item is still drawn.
 */
export function squarify(items: TreemapItem[], width: number, height: number): TreemapBox[] {
  const sorted = items
    .map((i) => ({ key: i.key, value: i.value, weight: Math.max(i.value, 1) }))
    .sort((a, b) => b.weight - a.weight || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const total = sorted.reduce((a, b) => a + b.weight, 0);
  if (total === 0) return [];
  const scale = (width * height) / total;
  const queue = sorted.map((i) => ({ key: i.key, value: i.value, area: i.weight * scale }));
  const out: TreemapBox[] = [];
  let rect: Rect = { x: 0, y: 0, w: width, h: height };
  let row: typeof queue = [];
  for (const item of queue) {
    const side = Math.min(rect.w, rect.h);
    if (
      row.length === 0 ||
      worst(
        [...row, item].map((r) => r.area),
        side,
      ) <=
        worst(
          row.map((r) => r.area),
          side,
        )
    ) {
      row.push(item);
      continue;
    }
    const [boxes, rest] = layRow(row, rect);
    out.push(...boxes);
    rect = rest;
    row = [item];
  }
  if (row.length > 0) out.push(...layRow(row, rect)[0]);
  return out;
}
