import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseHashText, mayMatchPins } from '../lock/hashes.js';
import {
  fakeArchiveBytes,
  serveBytes,
  startTestServer,
  type TestServer,
} from '../testing/http-server.js';
import { HashMismatchError } from './errors.js';
import { fetchArtifact } from './fetch-artifact.js';
import { HttpClient } from './http.js';
import { WeakHashError } from './pins.js';

const FILE = 'demo-1.0-py3-none-any.whl';
const body = fakeArchiveBytes(50_000);
const hex = (algorithm: string, data: Buffer = body): string =>
  createHash(algorithm).update(data).digest('hex');
const fast = { retries: 0, connectTimeoutMs: 2000, idleTimeoutMs: 2000 };

let server: TestServer;
let cache: string;
beforeEach(async () => {
  server = await startTestServer({ [`/f/${FILE}`]: serveBytes(body) });
  cache = await mkdtemp(join(tmpdir(), 'pexkit-pins-'));
});
afterEach(async () => {
  await server.close();
  await rm(cache, { recursive: true, force: true });
});

describe('lock hashes other than sha256', () => {
  it('parses every hashlib-guaranteed secure algorithm and checks digest lengths', () => {
    expect(parseHashText(`SHA512:${'A'.repeat(128)}`)).toEqual({
      algorithm: 'sha512',
      digest: 'a'.repeat(128),
    });
    expect(parseHashText(`sha3-256:${'0'.repeat(64)}`)).toMatchObject({ algorithm: 'sha3_256' });
    expect(parseHashText(`sha384:${'0'.repeat(64)}`)).toEqual({
      error: 'expected sha384:<96 hex digits>',
    });
    expect(parseHashText('md5:abc')).toEqual({ algorithm: 'md5', digest: 'abc' });
    // A file whose sha256 is not pinned may still match a sha512 pin: keep it for the download.
    expect(mayMatchPins([`sha512:${'0'.repeat(128)}`], 'f'.repeat(64))).toBe(true);
    expect(mayMatchPins([`sha256:${'0'.repeat(64)}`], 'f'.repeat(64))).toBe(false);
  });

  it('verifies sha224, sha3_*, blake2b and blake2s pins, each of which must match', async () => {
    const url = `${server.origin}/f/${FILE}`;
    const hashes = {
      sha224: hex('sha224'),
      sha3_512: hex('sha3-512'),
      blake2b: hex('blake2b512'),
      blake2s: hex('blake2s256'),
    };
    const ok = await fetchArtifact({ url, filename: FILE, hashes }, { cacheDir: cache, ...fast });
    expect(ok.sha256).toBe(hex('sha256'));
    for (const wrong of ['sha224', 'sha3_512', 'blake2b', 'blake2s'] as const) {
      await expect(
        fetchArtifact(
          { url, filename: FILE, hashes: { ...hashes, [wrong]: '0'.repeat(hashes[wrong].length) } },
          { cacheDir: join(cache, wrong), ...fast },
        ),
      ).rejects.toThrow(new RegExp(`^${wrong} mismatch for ${FILE.replace(/\./g, '\\.')}`));
    }
  });

  it('all hashes of an artifact must match: a right sha256 with a wrong sha512 is refused', async () => {
    const url = `${server.origin}/f/${FILE}`;
    const error = await fetchArtifact(
      { url, filename: FILE, hashes: { sha256: hex('sha256'), sha512: '0'.repeat(128) } },
      { cacheDir: cache, ...fast },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HashMismatchError);
    expect(String(error)).toMatch(/sha512 mismatch/);
  });

  it('re-checks a cached artifact against the lock’s other hashes, without the network', async () => {
    const url = `${server.origin}/f/${FILE}`;
    await fetchArtifact(
      { url, filename: FILE, sha256: hex('sha256') },
      { cacheDir: cache, ...fast },
    );
    await server.close();
    const http = new HttpClient(fast);
    const ref = { url, filename: FILE, sha256: hex('sha256') };
    // verifyCache: false skips re-hashing sha256, never the other pins.
    await expect(
      fetchArtifact(
        { ...ref, hashes: { sha512: '1'.repeat(128) } },
        { cacheDir: cache, http, verifyCache: false },
      ),
    ).rejects.toThrow(/sha512 mismatch for demo-1\.0-py3-none-any\.whl from .*artifacts\/sha256/);
    await expect(
      fetchArtifact(
        { ...ref, allowedHashes: [`sha384:${'2'.repeat(96)}`], pinnedBy: 'r.txt:3' },
        { cacheDir: cache, http },
      ),
    ).rejects.toThrow(
      /^r\.txt:3: demo-1\.0-py3-none-any\.whl has sha384 [0-9a-f]{96}, which is not among the --hash values/,
    );
    const hit = await fetchArtifact(
      { ...ref, hashes: { sha512: hex('sha512') } },
      { cacheDir: cache, http, verifyCache: false },
    );
    expect(hit.source).toBe('cache');
    expect(http.requestCount).toBe(0);
    await http.close();
  });

  it('refuses a pin by md5 alone or an unknown algorithm alone, naming file and algorithm', async () => {
    const url = `${server.origin}/f/${FILE}`;
    await expect(
      fetchArtifact(
        { url, filename: FILE, hashes: { md5: hex('md5') }, pinnedBy: '/x/uv.lock:12' },
        { cacheDir: cache, ...fast },
      ),
    ).rejects.toThrow(
      /^\/x\/uv\.lock:12: demo-1\.0-py3-none-any\.whl is pinned only by md5, which pexkit does not verify/,
    );
    await expect(
      fetchArtifact(
        { url, filename: FILE, hashes: { whirlpool: 'ab' } },
        { cacheDir: cache, ...fast },
      ),
    ).rejects.toBeInstanceOf(WeakHashError);
    expect(server.requests).toHaveLength(0);
    // Next to a secure pin, a weak one is ignored (pip and PEP 751).
    const ok = await fetchArtifact(
      { url, filename: FILE, hashes: { md5: '0'.repeat(32), sha512: hex('sha512') } },
      { cacheDir: cache, ...fast },
    );
    expect(ok.source).toBe('network');
  });
});
