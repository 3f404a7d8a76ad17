import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { commitTempFile, tempPathFor } from '../../cache/atomic.js';
import { UsageError } from '../../errors.js';
import { fetchAll } from '../../fetch/fetch-all.js';
import type { ArtifactRef } from '../../fetch/fetch-artifact.js';
import { artifactsOfLock } from '../../fetch/lock-artifacts.js';
import { readIndexSettings } from '../../fetch/settings.js';
import { loadLock } from '../../lock/load.js';
import type { CliCommand } from '../command.js';
import { NETWORK_LIMITS_HELP } from '../../fetch/limits.js';

const HELP = `Usage: pexkit download [options] <lock-file | wheel-url | wheel-path>...

Fetches wheels into the verified download cache (and optionally a directory), e.g. to prepare
a wheelhouse for machines without network access (use it there with --find-links).
Lock files: uv.lock, pylock.toml (PEP 751), pinned requirements.txt. All platforms' wheels are
taken unless --match narrows them.

Options:
  --dest <dir>              also place the files in <dir> (hard links when possible)
  --match <glob>            keep only file names matching the glob (repeatable), e.g. '*manylinux*x86_64*'
  --sdists                  also fetch sdists
  --index-url <url>         simple index (default: PIP_INDEX_URL / UV_INDEX_URL / https://pypi.org/simple/)
  --extra-index-url <url>   additional index (repeatable)
  --find-links <dir|url>    wheelhouse directory or HTML page (repeatable)
  --offline                 use only the cache and find-links
  --cache-dir <dir>         cache root (default: $PEXKIT_CACHE_DIR, $XDG_CACHE_HOME/pexkit, ~/.cache/pexkit)
  --concurrency <n>         parallel downloads (default 8)
  --timeout <seconds>       connect/idle timeout (default 30)
  --retries <n>             retries on transient errors (default 4)
  -h, --help

${NETWORK_LIMITS_HELP}`;

function positiveInt(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${option} expects a non-negative integer, got '${value}'`);
  return n;
}

/** Places `source` at `dir/filename` atomically (hard link, else copy). */
async function place(source: string, dir: string, filename: string): Promise<string> {
  const target = join(dir, filename);
  const temp = tempPathFor(target);
  try {
    await link(source, temp);
  } catch {
    await copyFile(source, temp);
  }
  try {
    await commitTempFile(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
  return target;
}

export const downloadCommand: CliCommand = {
  name: 'download',
  summary: 'fetch the wheels of a lock file (or wheel URLs) into the verified cache / a wheelhouse',
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          dest: { type: 'string' },
          match: { type: 'string', multiple: true },
          sdists: { type: 'boolean' },
          'index-url': { type: 'string' },
          'extra-index-url': { type: 'string', multiple: true },
          'find-links': { type: 'string', multiple: true },
          offline: { type: 'boolean' },
          'cache-dir': { type: 'string' },
          concurrency: { type: 'string' },
          timeout: { type: 'string' },
          retries: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (error) {
      if (error instanceof TypeError) throw new UsageError(`${error.message}\n\n${HELP}`);
      throw error;
    }
    const { values, positionals } = parsed;
    if (values.help === true) {
      process.stdout.write(HELP);
      return 0;
    }
    if (positionals.length === 0)
      throw new UsageError(`expected at least one lock file, wheel URL or wheel path\n\n${HELP}`);
    const settings = readIndexSettings({
      indexUrl: values['index-url'],
      extraIndexUrls: values['extra-index-url'],
      findLinks: values['find-links'],
    });
    const timeout = positiveInt(values.timeout, 'timeout');
    const common = {
      indexUrl: settings.indexUrl,
      extraIndexUrls: settings.extraIndexUrls,
      findLinks: settings.findLinks,
      offline: values.offline === true,
      cacheDir: values['cache-dir'],
      retries: positiveInt(values.retries, 'retries'),
      ...(timeout === undefined
        ? {}
        : { connectTimeoutMs: timeout * 1000, idleTimeoutMs: timeout * 1000 }),
    };
    const artifacts: ArtifactRef[] = [];
    for (const input of positionals) {
      if (/^(https?|file):/i.test(input)) {
        artifacts.push({
          url: input,
          filename: decodeURIComponent(basename(new URL(input).pathname)),
        });
      } else if (input.endsWith('.whl') || input.endsWith('.tar.gz')) {
        if (!existsSync(input)) throw new UsageError(`no such file: ${input}`);
        artifacts.push({ path: resolve(input), filename: basename(input) });
      } else {
        if (!existsSync(input)) throw new UsageError(`no such lock file: ${input}`);
        artifacts.push(
          ...(await artifactsOfLock(loadLock(input), {
            ...common,
            match: values.match,
            includeSdists: values.sdists === true,
          })),
        );
      }
    }
    const result = await fetchAll(artifacts, {
      ...common,
      concurrency: positiveInt(values.concurrency, 'concurrency'),
    });
    if (values.dest !== undefined) {
      const dest = resolve(values.dest);
      await mkdir(dest, { recursive: true });
      for (let i = 0; i < artifacts.length; i++)
        await place(result.artifacts[i].path, dest, artifacts[i].filename);
      process.stderr.write(`placed ${artifacts.length} file(s) in ${dest}\n`);
    } else {
      process.stdout.write(result.artifacts.map((a) => `${a.path}\n`).join(''));
    }
    return 0;
  },
};
