/**
 * Issue 11, hashes: what the lock pins is what goes in. A server swaps the wheel; a lock that pins
 * it only by sha384 / sha512 (all four lock forms) must refuse the swap, a cached artifact is
 * re-checked against the lock's other hashes, and a weak-only pin is an error.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/http-server.js';
import { makeWheel } from '../wheel/test-support/make-wheel.js';
import { planBuild } from './plan.js';

const FILE = 'tiny-1.0-py3-none-any.whl';
const TARGET = 'manylinux_2_39_x86_64-cp-311-cp311';

function digest(algorithm: string, data: Buffer): string {
  return createHash(algorithm).update(data).digest('hex');
}

let work: string;
let server: TestServer;
let good: Buffer;
let evil: Buffer;
/** What the server answers for the wheel. */
let served: Buffer;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pinned-hashes-'));
  const mk = (label: string): Buffer => {
    const dir = join(work, label);
    mkdirSync(dir);
    return readFileSync(
      makeWheel(dir, {
        name: 'tiny',
        version: '1.0',
        files: [{ name: 'tiny/__init__.py', data: `WHO = '${label}'\n` }],
      }),
    );
  };
  good = mk('good');
  evil = mk('evil');
  served = good;
  server = await startTestServer({
    [`/files/${FILE}`]: (_req, res) => {
      res.writeHead(200, { 'content-length': String(served.length) }).end(served);
    },
    '/simple/tiny/': (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<a href="/files/${FILE}">${FILE}</a>\n`);
    },
  });
  const app = join(work, 'app');
  mkdirSync(join(app, 'src', 'app'), { recursive: true });
  writeFileSync(join(app, 'src', 'app', '__init__.py'), '');
  writeFileSync(
    join(app, 'pyproject.toml'),
    '[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.8"\ndependencies = ["tiny==1.0"]\n',
  );
}, 60_000);

afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const locks: Record<string, (pin: { algorithm: string; hex: string }) => [string, string]> = {
  'uv.lock hash = "sha512:…"': ({ algorithm, hex }) => [
    'uv.lock',
    [
      'version = 1',
      'requires-python = ">=3.8"',
      '',
      '[[package]]',
      'name = "app"',
      'version = "1.0"',
      'source = { editable = "." }',
      'dependencies = [{ name = "tiny" }]',
      '',
      '[[package]]',
      'name = "tiny"',
      'version = "1.0"',
      `source = { registry = "${server.origin}/simple" }`,
      `wheels = [{ url = "${server.origin}/files/${FILE}", hash = "${algorithm}:${hex}" }]`,
      '',
    ].join('\n'),
  ],
  'pylock.toml hashes = { sha512 = … }': ({ algorithm, hex }) => [
    'pylock.toml',
    [
      'lock-version = "1.0"',
      'created-by = "test"',
      'requires-python = ">=3.8"',
      '',
      '[[packages]]',
      'name = "tiny"',
      'version = "1.0"',
      '',
      '[[packages.wheels]]',
      `url = "${server.origin}/files/${FILE}"`,
      `hashes = { ${algorithm} = "${hex}" }`,
      '',
    ].join('\n'),
  ],
  'requirements --require-hashes --hash=sha512 (index)': ({ algorithm, hex }) => [
    'requirements.txt',
    `--require-hashes\n--index-url ${server.origin}/simple\ntiny==1.0 --hash=${algorithm}:${hex}\n`,
  ],
  'requirements --hash=sha512 (index, no --require-hashes)': ({ algorithm, hex }) => [
    'requirements.txt',
    `--index-url ${server.origin}/simple\ntiny==1.0 --hash=${algorithm}:${hex}\n`,
  ],
  'requirements --hash=sha384 (index)': ({ hex }) => [
    'requirements.txt',
    `--index-url ${server.origin}/simple\ntiny==1.0 --hash=sha384:${hex}\n`,
  ],
  'requirements URL line --hash=sha512': ({ algorithm, hex }) => [
    'requirements.txt',
    `tiny @ ${server.origin}/files/${FILE} --hash=${algorithm}:${hex}\n`,
  ],
};

async function plan(form: string, algorithm: string, cacheDir: string): Promise<unknown> {
  const make = locks[form] as (typeof locks)[string];
  const node = algorithm === 'sha384' || form.includes('sha384') ? 'sha384' : algorithm;
  const [name, text] = make({ algorithm: node, hex: digest(node, good) });
  const dir = mkdtempSync(join(work, 'lock-'));
  writeFileSync(join(dir, name), text);
  return planBuild({
    project: join(work, 'app'),
    lock: join(dir, name),
    cacheDir,
    targets: [TARGET],
    progress: 'none',
    env: { NETRC: '/nonexistent' },
  });
}

describe('a lock that pins a wheel only by sha384 / sha512', () => {
  for (const form of Object.keys(locks)) {
    it(`${form}: the pinned wheel goes in, a swapped one is refused`, async () => {
      served = good;
      const ok = (await plan(form, 'sha512', mkdtempSync(join(work, 'c-')))) as {
        projects: { name: string; wheels: { path: string }[] }[];
      };
      const tiny = ok.projects.find((p) => p.name === 'tiny');
      expect(readFileSync(tiny?.wheels[0]?.path ?? '').equals(good)).toBe(true);
      served = evil;
      await expect(plan(form, 'sha512', mkdtempSync(join(work, 'c-')))).rejects.toThrow(
        /(sha384|sha512) mismatch for tiny-1\.0-py3-none-any\.whl|tiny-1\.0-py3-none-any\.whl has sha(384|512) [0-9a-f]+, which is not among the --hash values for tiny( 1\.0)?/,
      );
      served = good;
    }, 60_000);
  }
});
