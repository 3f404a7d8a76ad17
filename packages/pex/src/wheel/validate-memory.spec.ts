/**
 * Validation streams big entries: a 3 MB wheel holding a 1 GiB (highly compressible) entry is
 * verified in a child process whose peak RSS must stay under 300 MB (it was 2.1 GB).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleForNode } from '../pex/test-support/bundle.js';
import { anyPython } from './test-support/make-wheel.js';

const work = mkdtempSync(join(tmpdir(), 'pexkit-bigentry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('validateWheel memory', () => {
  it('verifies a wheel with a 1 GiB entry in under 300 MB of peak RSS', () => {
    const wheel = join(work, 'big-1.0-py3-none-any.whl');
    execFileSync(anyPython(), [
      fileURLToPath(new URL('./test-support/make_big_entry_wheel.py', import.meta.url)),
      wheel,
    ]);
    expect(statSync(wheel).size).toBeLessThan(4 * 1024 * 1024);
    const entry = join(work, 'child.ts');
    writeFileSync(
      entry,
      [
        `import { validateWheel } from ${JSON.stringify(fileURLToPath(new URL('./validate.ts', import.meta.url)))};`,
        `const v = await validateWheel({ path: ${JSON.stringify(wheel)} }, { noCache: true });`,
        'console.log(JSON.stringify({ size: v.installedSize, maxRss: process.resourceUsage().maxRSS * 1024 }));',
      ].join('\n'),
    );
    const bundle = join(work, 'child.mjs');
    bundleForNode(entry, bundle);
    const out = JSON.parse(execFileSync(process.execPath, [bundle], { encoding: 'utf8' })) as {
      size: number;
      maxRss: number;
    };
    expect(out.size).toBeGreaterThan(1024 ** 3);
    expect(out.maxRss).toBeLessThan(300 * 1024 * 1024);
  }, 300_000);
});
