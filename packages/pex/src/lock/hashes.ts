/**
 * Artifact hashes as locks pin them: `algorithm → hex digest`, with the algorithms Python's
 * `hashlib.algorithms_guaranteed` offers that are still collision-resistant (pip and PEP 751 rules).
 * md5 and sha1 are weak; `shake_*` have no fixed length; anything else is unknown. Weak and unknown
 * pins are ignored next to a secure one, and refused when they are all an artifact has.
 */

/** hashlib name → Node's `createHash` name and the digest's hex length. */
const SECURE: Record<string, { node: string; hexLength: number }> = {
  sha224: { node: 'sha224', hexLength: 56 },
  sha256: { node: 'sha256', hexLength: 64 },
  sha384: { node: 'sha384', hexLength: 96 },
  sha512: { node: 'sha512', hexLength: 128 },
  sha3_224: { node: 'sha3-224', hexLength: 56 },
  sha3_256: { node: 'sha3-256', hexLength: 64 },
  sha3_384: { node: 'sha3-384', hexLength: 96 },
  sha3_512: { node: 'sha3-512', hexLength: 128 },
  blake2b: { node: 'blake2b512', hexLength: 128 },
  blake2s: { node: 'blake2s256', hexLength: 64 },
};

const HEX = /^[0-9a-fA-F]+$/;

/** The algorithms pexkit verifies, in hashlib spelling. */
export const SECURE_HASH_ALGORITHMS: readonly string[] = Object.keys(SECURE);

/** Lower-case hashlib spelling (`SHA3-256` → `sha3_256`). */
export function normalizeHashAlgorithm(name: string): string {
  return name.trim().toLowerCase().replace(/-/g, '_');
}

export function isSecureHashAlgorithm(algorithm: string): boolean {
  return Object.hasOwn(SECURE, normalizeHashAlgorithm(algorithm));
}

/** Node's `createHash` name of a secure algorithm. */
export function nodeHashName(algorithm: string): string {
  const spec = SECURE[normalizeHashAlgorithm(algorithm)];
  if (spec === undefined) throw new Error(`not a secure hash algorithm: ${algorithm}`);
  return spec.node;
}

/**
 * Checks one pinned digest; returns the normalised `{ algorithm, digest }` or the reason it is
 * malformed. Weak and unknown algorithms are returned as they are (decided on use).
 */
export function parseHashPin(
  algorithm: string,
  digest: string,
): { algorithm: string; digest: string } | { error: string } {
  const alg = normalizeHashAlgorithm(algorithm);
  const spec = SECURE[alg];
  if (spec !== undefined && (digest.length !== spec.hexLength || !HEX.test(digest)))
    return { error: `expected ${alg}:<${spec.hexLength} hex digits>` };
  if (alg === '' || digest === '') return { error: 'expected <algorithm>:<hex digest>' };
  return { algorithm: alg, digest: digest.toLowerCase() };
}

/** `algorithm:hex` (a requirements file's `--hash` value, uv.lock's `hash`). */
export function parseHashText(
  text: string,
): { algorithm: string; digest: string } | { error: string } {
  const at = text.indexOf(':');
  if (at <= 0) return { error: 'expected <algorithm>:<hex digest>' };
  return parseHashPin(text.slice(0, at), text.slice(at + 1));
}

/** Splits `algorithm:hex` texts already parsed by `parseHashText`. */
export function splitHashText(text: string): { algorithm: string; digest: string } {
  const at = text.indexOf(':');
  return {
    algorithm: normalizeHashAlgorithm(text.slice(0, at)),
    digest: text.slice(at + 1).toLowerCase(),
  };
}

/**
 * The secure algorithms among pins, or an error naming the weak / unknown ones when pins exist
 * but none is secure (md5 alone, an unknown name alone).
 */
export function secureAlgorithmsOf(algorithms: Iterable<string>): {
  secure: string[];
  refused?: string[];
} {
  const all = [...new Set([...algorithms].map(normalizeHashAlgorithm))];
  const secure = all.filter((a) => Object.hasOwn(SECURE, a));
  if (all.length > 0 && secure.length === 0) return { secure, refused: all };
  return { secure };
}

/**
 * Whether a file with the given sha256 can still satisfy `any of` pins (`alg:hex`) — false only when
 * every secure pin is a sha256 and none is `sha256`. Used to drop index files before downloading.
 */
export function mayMatchPins(
  pins: readonly string[] | undefined,
  sha256: string | undefined,
): boolean {
  if (pins === undefined || pins.length === 0 || sha256 === undefined) return true;
  const parsed = pins.map(splitHashText).filter((p) => isSecureHashAlgorithm(p.algorithm));
  if (parsed.some((p) => p.algorithm !== 'sha256')) return true;
  return parsed.length === 0 || parsed.some((p) => p.digest === sha256.toLowerCase());
}
