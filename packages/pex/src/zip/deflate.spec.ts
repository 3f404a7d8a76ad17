import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { deflateRaw as pakoDeflateRaw } from 'pako';
import { describe, expect, it } from 'vitest';
import {
  chooseDeflateEngine,
  deflateEngine,
  deflatePortable,
  deflateProbe,
  REFERENCE_PROBE_SHA256,
} from './deflate.js';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('portable deflate', () => {
  it("pins pako's bytes for the probe (the reference Node's zlib is held to)", () => {
    expect(sha256(pakoDeflateRaw(deflateProbe(), { level: 6 }))).toBe(REFERENCE_PROBE_SHA256);
  });

  it("uses this Node's zlib, which writes the reference bytes", () => {
    expect(deflateEngine()).toBe('zlib');
  });

  it('falls back to pako when zlib deflates the probe differently', () => {
    // Another match finder (or a zlib built differently) shows up as other bytes for the probe.
    expect(chooseDeflateEngine((d) => deflateRawSync(d, { level: 6, memLevel: 9 }))).toBe('pako');
    expect(chooseDeflateEngine((d) => deflateRawSync(d, { level: 6, strategy: 1 }))).toBe('pako');
    expect(chooseDeflateEngine((d) => deflateRawSync(d, { level: 6 }))).toBe('zlib');
  });

  it("tells another real zlib apart: Python's (zlib 1.2.13 here) deflates the probe differently", () => {
    const viaPython = (data: Buffer): Buffer =>
      execFileSync(
        'python3',
        [
          '-c',
          'import sys,zlib;c=zlib.compressobj(6,zlib.DEFLATED,-15,8,0);d=sys.stdin.buffer.read();sys.stdout.buffer.write(c.compress(d)+c.flush())',
        ],
        { input: data },
      );
    // Both are valid deflate streams of the same data; only the bytes differ.
    expect(inflateRawSync(viaPython(deflateProbe())).equals(deflateProbe())).toBe(true);
    expect(chooseDeflateEngine(viaPython)).toBe('pako');
  });

  it("writes pako's bytes for arbitrary text and binary inputs, and they inflate back", async () => {
    const text = fc
      .array(fc.constantFrom('def ', 'import os\n', 'return x', '    ', 'é', '\n', 'pkg/a.py'), {
        maxLength: 4000,
      })
      .map((parts) => Buffer.from(parts.join(''), 'utf8'));
    const binary = fc.uint8Array({ maxLength: 70_000 }).map((a) => Buffer.from(a));
    await fc.assert(
      fc.asyncProperty(fc.oneof(text, binary), async (data) => {
        const out = await deflatePortable(data);
        expect(sha256(out)).toBe(sha256(pakoDeflateRaw(data, { level: 6 })));
        expect(inflateRawSync(out).equals(data)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("writes pako's bytes for a big input deflated in libuv's pool", async () => {
    const big = Buffer.concat([deflateProbe(), deflateProbe().reverse(), deflateProbe()]);
    expect(sha256(await deflatePortable(big))).toBe(sha256(pakoDeflateRaw(big, { level: 6 })));
  });

  it('deflates other levels through pako', async () => {
    const data = deflateProbe();
    expect(sha256(await deflatePortable(data, 9))).toBe(sha256(pakoDeflateRaw(data, { level: 9 })));
  });
});
