import { PexkitError } from '../errors.js';
import {
  SECURE_HASH_ALGORITHMS,
  isSecureHashAlgorithm,
  normalizeHashAlgorithm,
  secureAlgorithmsOf,
  splitHashText,
} from '../lock/hashes.js';
import { HashMismatchError } from './errors.js';

/** What a lock pins about one artifact (the fields of `ArtifactRef` that matter here). */
export interface PinnedArtifact {
  filename: string;
  sha256?: string;
  /** Every digest the lock gives for the file (algorithm → hex); each secure one must match. */
  hashes?: Record<string, string>;
  /** `algorithm:hex` values of which the file must match one (a requirements file's `--hash`). */
  allowedHashes?: string[];
  /** The lock entry that pins the file (`path:line`), for messages. */
  pinnedBy?: string;
  /** What the pin is for (`six 1.16.0`), for messages. */
  pinnedFor?: string;
}

/** The checks to run on a file's bytes. */
export interface ArtifactPins {
  /** Secure algorithms to compute besides sha256. */
  algorithms: string[];
  /** Every one must match. */
  all: { algorithm: string; digest: string }[];
  /** One must match (empty: no such constraint). */
  anyOf: { algorithm: string; digest: string }[];
}

/** The lock pins an artifact only by weak (md5, sha1) or unknown algorithms. */
export class WeakHashError extends PexkitError {
  override readonly name = 'WeakHashError';
  constructor(filename: string, algorithms: string[], pinnedBy: string | undefined) {
    super(
      `${pinnedBy !== undefined ? `${pinnedBy}: ` : ''}${filename} is pinned only by ${algorithms.join(', ')}, ` +
        `which pexkit does not verify (weak or unknown); pin it by one of ${SECURE_HASH_ALGORITHMS.join(', ')}`,
    );
  }
}

/** A file does not match any of the `--hash` values its requirements file allows. */
export class LockHashError extends HashMismatchError {
  override readonly name = 'LockHashError';
}

/** The pins of an artifact; throws WeakHashError when its pins hold no secure algorithm. */
export function pinsOf(artifact: PinnedArtifact): ArtifactPins {
  const all = new Map<string, string>();
  for (const [name, digest] of Object.entries(artifact.hashes ?? {}))
    all.set(normalizeHashAlgorithm(name), digest.toLowerCase());
  if (artifact.sha256 !== undefined) all.set('sha256', artifact.sha256.toLowerCase());
  const whole = secureAlgorithmsOf(all.keys());
  if (whole.refused !== undefined)
    throw new WeakHashError(artifact.filename, whole.refused, artifact.pinnedBy);
  const listed = (artifact.allowedHashes ?? []).map(splitHashText);
  const some = secureAlgorithmsOf(listed.map((p) => p.algorithm));
  if (some.refused !== undefined)
    throw new WeakHashError(artifact.filename, some.refused, artifact.pinnedBy);
  const anyOf = listed.filter((p) => isSecureHashAlgorithm(p.algorithm));
  const allSecure = [...all]
    .filter(([a]) => isSecureHashAlgorithm(a))
    .map(([algorithm, digest]) => ({ algorithm, digest }));
  const algorithms = [
    ...new Set([...whole.secure, ...some.secure].filter((a) => a !== 'sha256')),
  ].sort();
  return { algorithms, all: allSecure, anyOf };
}

/** True when nothing is pinned: the bytes cannot be checked against anything. */
export function nothingPinned(pins: ArtifactPins): boolean {
  return pins.all.length === 0 && pins.anyOf.length === 0;
}

/** Throws a HashMismatchError (LockHashError for `--hash` sets) when `digests` break a pin. */
export function checkPins(
  pins: ArtifactPins,
  digests: Record<string, string>,
  artifact: PinnedArtifact,
  source: string,
): void {
  for (const { algorithm, digest } of pins.all) {
    const got = digests[algorithm];
    if (got !== digest)
      throw new HashMismatchError(artifact.filename, source, digest, got ?? '?', algorithm);
  }
  if (pins.anyOf.length > 0 && !pins.anyOf.some((p) => digests[p.algorithm] === p.digest)) {
    const algorithms = [...new Set(pins.anyOf.map((p) => p.algorithm))];
    const got = algorithms.map((a) => `${a} ${digests[a] ?? '?'}`).join(', ');
    const error = new LockHashError(artifact.filename, source, 'one of the --hash values', got);
    error.message =
      `${artifact.pinnedBy !== undefined ? `${artifact.pinnedBy}: ` : ''}${artifact.filename} has ${got}, ` +
      `which is not among the --hash values${artifact.pinnedFor !== undefined ? ` for ${artifact.pinnedFor}` : ''}` +
      ` (from ${source}); refused and not cached`;
    throw error;
  }
}
