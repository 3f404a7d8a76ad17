/**
 * The `--html` page in a real browser: headless Chromium (Debian's `chromium` package) loads it
 * from file://, the DOM it builds has one treemap box per wheel, and a screenshot shows every
 * wheel's fill colour (so the boxes were painted, not just parsed). Skipped, with the reason,
 * only when no Chromium is installed (`apt-get install chromium`, or PEXKIT_CHROMIUM=<path>).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REQUESTS_WHEELS } from '../pex/test-support/fixtures.js';
import { renderHtml, wheelColour } from './html.js';
import { inspectPex } from './inspect-pex.js';
import { decodePng } from './test-support/png.js';
import { buildTestPex } from './test-support/test-pex.js';

function findChromium(): string | undefined {
  const configured = process.env['PEXKIT_CHROMIUM'];
  if (configured !== undefined && configured !== '') return configured;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
      if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

const chromium = findChromium();
if (chromium === undefined)
  console.warn(
    'html-browser.spec.ts: skipped: no Chromium on PATH (apt-get install chromium, or set PEXKIT_CHROMIUM)',
  );

const work = mkdtempSync(join(tmpdir(), 'pexkit-inspect-browser-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runChromium(profile: string, args: string[]): string {
  return execFileSync(
    chromium as string,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-extensions',
      '--hide-scrollbars',
      `--user-data-dir=${join(work, profile)}`,
      ...args,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
  );
}

describe.skipIf(chromium === undefined)('the inspect page in headless Chromium', () => {
  it('renders, with one treemap box per wheel, and a screenshot shows every box', async () => {
    const pex = await buildTestPex(work, 'app', REQUESTS_WHEELS);
    const report = await inspectPex(pex);
    const page = join(work, 'report.html');
    writeFileSync(page, renderHtml(report));
    const url = pathToFileURL(page).href;

    const dom = runChromium('dom', ['--dump-dom', url]);
    expect(dom).toContain('<title>app.pex: pexkit inspect</title>');
    const boxes = [
      ...dom.matchAll(/<rect data-wheel="([^"]+)"[^>]*width="([\d.]+)" height="([\d.]+)"/g),
    ];
    expect(boxes.map((m) => m[1]).sort()).toEqual(report.wheels.map((w) => w.file).sort());
    expect(boxes).toHaveLength(5);
    for (const m of boxes) expect(Number(m[2]) * Number(m[3]), m[1]).toBeGreaterThan(0);
    // The table the page's script sorts is there, one row per wheel of the target.
    expect(dom.match(/<tbody>[\s\S]*?<\/tbody>/)?.[0].match(/<tr>/g)).toHaveLength(5);

    const shot = join(work, 'report.png');
    runChromium('shot', ['--window-size=1280,1000', `--screenshot=${shot}`, url]);
    const png = decodePng(readFileSync(shot));
    expect([png.width, png.height]).toEqual([1280, 1000]);
    const seen = new Set(png.pixels);
    for (const w of report.wheels) {
      const fill = Number.parseInt(wheelColour(w.name).slice(1), 16);
      // Allow ±1 per channel for the colour conversion.
      const near = [-1, 0, 1].some((dr) =>
        [-1, 0, 1].some((dg) =>
          [-1, 0, 1].some((db) => seen.has(fill + (dr << 16) + (dg << 8) + db)),
        ),
      );
      expect(near, `${w.name}'s box (${wheelColour(w.name)}) is painted`).toBe(true);
    }
    const out = process.env['PEXKIT_INSPECT_SCREENSHOT'];
    if (out !== undefined && out !== '') writeFileSync(out, readFileSync(shot));
  });
});
