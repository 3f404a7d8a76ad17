/**
 * Harness for differential tests against Python reference tools (tests only): run one
 * oracle script over a whole batch of JSON cases in a single Python process, plus the
 * seeded random generator shared by the generators.
 */
import { spawnSync } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolsPython } from './python-tools.js';

const TESTING_DIR = fileURLToPath(new URL('.', import.meta.url));

export interface OracleAnswer<R> {
  /** Version of the reference library the oracle reports (e.g. packaging's). */
  packaging: string;
  results: R[];
}

/**
 * Feed `cases` (JSON) on stdin to `script` (a path, or a file name in `src/testing/`) run by
 * the `.venv-tools` Python, and return its parsed JSON answer. Throws with the script's
 * stderr when it fails.
 */
export function runOracle<R>(script: string, cases: readonly unknown[]): OracleAnswer<R> {
  const path = isAbsolute(script) ? script : join(TESTING_DIR, script);
  const result = spawnSync(toolsPython(), [path], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${script} exited with ${result.status}: ${result.stderr.slice(0, 4000)}`);
  }
  const answer = JSON.parse(result.stdout) as OracleAnswer<R>;
  if (answer.results.length !== cases.length) {
    throw new Error(
      `${script} answered ${answer.results.length} results for ${cases.length} cases`,
    );
  }
  return answer;
}

/** The seed for this run: `PEXKIT_DIFF_SEED` when set, otherwise random. */
export function differentialSeed(): number {
  const fromEnv = process.env['PEXKIT_DIFF_SEED'];
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    if (!Number.isInteger(n))
      throw new Error(`PEXKIT_DIFF_SEED must be an integer, got ${JSON.stringify(fromEnv)}`);
    return n >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

/** Small seeded PRNG (mulberry32) with helpers. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }
}

/** JSON text with object keys sorted, for order-independent comparison. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** Compare two JSON-able values structurally (object key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
