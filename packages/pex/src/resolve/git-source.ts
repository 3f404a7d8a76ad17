/**
 * Packages a lock takes from git (uv.lock `source = { git = "URL?rev=…&subdirectory=…#COMMIT" }`):
 * cloned with the `git` on PATH, checked out at the locked commit, the commit verified, and
 * archived as an sdist-like tarball the sdist builder turns into a wheel. The archive is cached
 * by commit (and subdirectory), written atomically.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheDir as defaultCacheDir } from '../cache/cache-dir.js';
import { LockError, type LockArtifact, type LockPackage } from '../lock/model.js';
import { hashFile } from '../fetch/hash-file.js';
import { buildCachePath } from '../cache/layout.js';
import { holdEntry, touchEntry } from '../cache/holds.js';

const run = promisify(execFile);

/** URL, commit and subdirectory of a uv.lock git source. */
export function parseGitSource(
  url: string,
): { repo: string; commit: string; subdirectory?: string } | undefined {
  const hash = url.indexOf('#');
  if (hash < 0) return undefined;
  const commit = url.slice(hash + 1).toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(commit)) return undefined;
  const [repo, query] = url.slice(0, hash).split('?', 2) as [string, string | undefined];
  const sub = new URLSearchParams(query ?? '').get('subdirectory') ?? undefined;
  if (sub !== undefined && (sub.startsWith('/') || sub.split('/').includes('..'))) return undefined;
  return sub === undefined ? { repo, commit } : { repo, commit, subdirectory: sub };
}

async function git(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await run('git', args, {
    ...(cwd !== undefined ? { cwd } : {}),
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' },
    maxBuffer: 1 << 20,
  });
  return stdout.trim();
}

/** The sdist-like archive of `pkg` (a git source) at its locked commit. */
export async function gitSourceArchive(
  pkg: LockPackage,
  lockPath: string,
  options: { cacheDir?: string; env?: NodeJS.ProcessEnv },
): Promise<LockArtifact> {
  const url = pkg.source.url ?? '';
  const fail = (why: string): never => {
    throw new LockError(lockPath, `${pkg.name} comes from git (${url}): ${why}`, pkg.line);
  };
  const src = parseGitSource(url) ?? fail('the URL names no full commit hash after #');
  const base = `${pkg.name.replace(/-/g, '_')}-${pkg.version ?? '0'}`;
  const key = createHash('sha256')
    .update(`${src.commit}\0${src.subdirectory ?? ''}`)
    .digest('hex')
    .slice(0, 32);
  const dir = buildCachePath(defaultCacheDir(options), 'gitArchives', key);
  const out = join(dir, `${base}.tar.gz`);
  await holdEntry(defaultCacheDir(options), `git-${key}`);
  if (existsSync(out)) await touchEntry(dir);
  else {
    const work = await mkdtemp(join(tmpdir(), 'pexkit-git-'));
    try {
      await git(['clone', '--quiet', '--no-checkout', '--', src.repo, work]).catch(
        (e: Error & { stderr?: string }) =>
          fail(`git clone failed: ${(e.stderr ?? e.message).trim().split('\n').pop() ?? ''}`),
      );
      await git(['checkout', '--quiet', '--detach', src.commit], work).catch(() =>
        fail(`the locked commit ${src.commit} is not in the repository`),
      );
      const head = await git(['rev-parse', 'HEAD'], work);
      if (head !== src.commit) fail(`checked out ${head}, not the locked commit ${src.commit}`);
      await mkdir(dir, { recursive: true });
      const tmp = `${out}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      const tree = src.subdirectory === undefined ? 'HEAD' : `HEAD:${src.subdirectory}`;
      await git(['archive', '--format=tar.gz', `--prefix=${base}/`, '-o', tmp, tree], work).catch(
        () => fail(`no subdirectory '${src.subdirectory ?? ''}' at commit ${src.commit}`),
      );
      await rename(tmp, out);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  const { sha256, size } = await hashFile(out);
  return { kind: 'sdist', filename: `${base}.tar.gz`, path: out, sha256, size };
}
