import { createCipheriv, createHash } from 'node:crypto';
import { promisify } from 'node:util';
import {
  deflateRaw as zlibDeflateRaw,
  deflateRawSync,
  constants as zlibConstants,
} from 'node:zlib';

/**
 * Raw deflate whose bytes do not depend on the Node build, OS or CPU: the bytes of pako 3.0.3
 * (pinned), a pure-JS port of zlib, at level 6 with the default strategy, 32 KiB window and
 * memLevel 8.
 *
 * Node's own zlib (Chromium's fork) writes exactly those bytes on every build measured (Node 20,
 * 22 and 26 on x86_64, Node 22 on arm64 under qemu) with ~2.7× less CPU than pako (medians over
 * real wheels), and off the main thread, so it is used while a probe says this build still does:
 * its output for a fixed input must hash to pako's digest.
 * Deflate implementations do differ (Debian's zlib 1.2.13, behind Python's `zlib`, writes other
 * bytes for the probe), so a Node whose zlib ever deflates differently falls back to pako:
 * slower, same bytes. A PEX built on a Mac laptop and on Linux CI is then the same file, and the
 * Nx task hash needs neither the Node version nor the CPU architecture.
 */
export type DeflateEngine = 'zlib' | 'pako';

/** The only level pexkit writes (zip's default, zlib's default). */
export const DEFLATE_LEVEL = 6;

/** Entries at least this big deflate in libuv's pool; smaller ones inline (less overhead). */
const ASYNC_DEFLATE_AT = 256 * 1024;

const zlibDeflateRawAsync = promisify(zlibDeflateRaw);
const ZLIB_OPTIONS = { level: DEFLATE_LEVEL, strategy: zlibConstants.Z_DEFAULT_STRATEGY };

/**
 * ~35 KB that exercise every path of deflate's match finder: source-like text with near repeats
 * (lazy matching), noise (literals), a long run, and zip-like records (incompressible data
 * between repeated names, like a wheel's). The noise is an AES-128-CTR keystream under a fixed
 * key: deterministic, and made natively. Probing costs ~5 ms of CPU, once per process.
 */
export function deflateProbe(): Buffer {
  const key = Buffer.from('pexkit deflate p', 'latin1');
  const noise = createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(32_000));
  const words = [
    'def ',
    'return ',
    'import ',
    'self.',
    'value',
    ' = ',
    'None',
    'if ',
    'for ',
    ' in ',
  ];
  let text = '';
  for (let i = 0; i < 3000; i++) text += noise[i]! % 23 === 0 ? '\n    ' : words[noise[i]! % 10];
  const parts = [
    Buffer.from(text, 'latin1'),
    noise.subarray(6_000, 14_000),
    Buffer.alloc(4_000, 65),
  ];
  for (let entry = 0, at = 14_000; entry < 30; entry++) {
    parts.push(Buffer.from(`PK\x03\x04pkg/module_${entry % 7}/file_${entry}.py`, 'latin1'));
    const size = 200 + (noise[entry]! % 200) * 2;
    parts.push(noise.subarray(at, at + size));
    at += size;
  }
  return Buffer.concat(parts);
}

/** sha256 of pako's raw deflate (level 6) of `deflateProbe()`; deflate.spec.ts recomputes it. */
export const REFERENCE_PROBE_SHA256 =
  '639b8020be2830671753ed79a4f37e34ea0e3ea1227d7f891be16249268d859b';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Which engine writes the reference bytes, given a zlib-like raw deflate function. */
export function chooseDeflateEngine(
  zlibDeflate: (data: Buffer) => Uint8Array = (data) => deflateRawSync(data, ZLIB_OPTIONS),
): DeflateEngine {
  return sha256(zlibDeflate(deflateProbe())) === REFERENCE_PROBE_SHA256 ? 'zlib' : 'pako';
}

let engine: DeflateEngine | undefined;

/** The engine this process uses (probed once, on first use). */
export function deflateEngine(): DeflateEngine {
  engine ??= chooseDeflateEngine();
  return engine;
}

/**
 * Raw deflate with the reference bytes: through Node's zlib (big inputs off the main thread) when
 * it writes them at this level, else through pako.
 */
export async function deflatePortable(
  data: Uint8Array,
  level: number = DEFLATE_LEVEL,
): Promise<Uint8Array> {
  if (level !== DEFLATE_LEVEL || deflateEngine() === 'pako')
    return (await import('pako')).deflateRaw(data, { level: level as 6 });
  return data.length >= ASYNC_DEFLATE_AT
    ? zlibDeflateRawAsync(data, ZLIB_OPTIONS)
    : deflateRawSync(data, ZLIB_OPTIONS);
}
