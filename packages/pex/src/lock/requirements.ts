import { dirname, isAbsolute, resolve } from 'node:path';
import { gitSourceUrl, parsePipVcsUrl } from './git-url.js';
import { SECURE_HASH_ALGORITHMS, isSecureHashAlgorithm, parseHashText } from './hashes.js';
import {
  canonical,
  filenameOf,
  LockError,
  registryPackage,
  type Lock,
  type LockArtifact,
  type LockPackage,
} from './model.js';
import { readLockText } from './uv-lock.js';
import { PexkitError } from '../errors.js';
import { parseSdistFilename, parseWheelFilename } from '../wheel/filename.js';

/** One logical line of a requirements file: continuations joined, comment stripped. */
interface LogicalLine {
  text: string;
  line: number;
}

/** Splits requirements text into logical lines (`\` continuations joined, `#` comments dropped). */
export function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const physical = text.split(/\r?\n/);
  let buffer = '';
  let start = 0;
  for (let i = 0; i < physical.length; i++) {
    let line = physical[i] ?? '';
    if (buffer === '') start = i + 1;
    // A comment starts at `#` at the line start or after whitespace (URLs keep their fragments).
    line = line.replace(/(^|\s)#.*$/, '$1');
    if (/\\\s*$/.test(line)) {
      buffer += `${line.replace(/\\\s*$/, '')} `;
      continue;
    }
    buffer += line;
    if (buffer.trim() !== '') out.push({ text: buffer.trim(), line: start });
    buffer = '';
  }
  if (buffer.trim() !== '') out.push({ text: buffer.trim(), line: start });
  return out;
}

const REQ_RE =
  /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(?:(===?)\s*([^\s;,*]+)(?=\s*(?:;|$))|([<>!~=][^;@]*?)|@\s*(\S+))?\s*(?:;\s*(.*))?$/;

interface Options {
  /** Reads an included file; defaults to the file system. */
  read?: (path: string) => string;
  /** Environment for pip's `${VAR}` expansion (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

interface State {
  lock: Lock;
  constraints: Map<string, string>;
  unpinned: Array<{ pkg: LockPackage; file: string; line: number }>;
  seen: Set<string>;
  read: (path: string) => string;
  env: NodeJS.ProcessEnv;
  /** `--require-hashes` was given. */
  requireHashes?: boolean;
}

/** pip's environment expansion: `${NAME}` (upper case, digits, `_`) when NAME is set. */
export function expandEnvVars(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => env[name] ?? whole);
}

const VCS_RE = /^(git|hg|svn|bzr)\+/i;
const ARCHIVE_RE = /\.(whl|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar|zip)$/i;

/** pip's `_looks_like_path`, plus archive names, which pip takes as files too. */
function looksLikePath(token: string): boolean {
  return (
    token.startsWith('.') || token.startsWith('~') || /[\\/]/.test(token) || ARCHIVE_RE.test(token)
  );
}

/**
 * A requirement naming a local file (`./dist/app-1.0-py3-none-any.whl`, `pkg-1.0.tar.gz`,
 * `file:///…/x.whl`): the package is that file, named by its file name. A directory or any other
 * file is refused as an unsupported local path.
 */
function localFile(
  token: string,
  dir: string,
  fail: (message: string) => never,
): { name: string; version: string; artifact: LockArtifact } {
  const path = token.startsWith('file:')
    ? decodeURIComponent(new URL(token).pathname)
    : isAbsolute(token)
      ? token
      : resolve(dir, token);
  const filename = filenameOf(path);
  try {
    if (filename.endsWith('.whl')) {
      const w = parseWheelFilename(filename);
      return {
        name: w.name,
        version: w.version.toString(),
        artifact: { kind: 'wheel', filename, path },
      };
    }
    const sd = parseSdistFilename(filename);
    return {
      name: sd.name,
      version: sd.version.toString(),
      artifact: { kind: 'sdist', filename, path },
    };
  } catch (error) {
    if (!(error instanceof PexkitError)) throw error;
    return fail(
      `unsupported: local path ${JSON.stringify(token)} (pexkit reads a wheel or sdist file here, not a project directory or ${JSON.stringify(filename)})`,
    );
  }
}

function takeOption(text: string, names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const long = name.startsWith('--');
    const m = new RegExp(`^${name}(?:${long ? '\\s*=\\s*|\\s+' : '\\s*'})(\\S+)$`).exec(text);
    if (m?.[1] !== undefined) return { name, value: m[1] };
  }
  return undefined;
}

/**
 * `# via` annotations by the 1-based line of the requirement they follow: `# via a` or
 * `# via` then one `#   a` line per parent (pip-compile and uv export both write them).
 */
export function viaAnnotations(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const lines = text.split(/\r?\n/);
  let owner: number | undefined;
  let inVia = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const comment = /^\s*#(.*)$/.exec(line);
    if (comment === null) {
      inVia = false;
      if (line.trim() === '') continue;
      // A requirement (or its continuation): the next annotation belongs to where it started.
      if (i === 0 || !/\\\s*$/.test(lines[i - 1] ?? '')) owner = i + 1;
      continue;
    }
    if (owner === undefined) continue;
    const body = comment[1] ?? '';
    const via = /^\s*via\b\s*(.*)$/.exec(body);
    if (via !== null) {
      inVia = true;
      const first = (via[1] ?? '').trim();
      const list = out.get(owner) ?? [];
      if (first !== '') list.push(first);
      out.set(owner, list);
    } else if (inVia && /^\s{2,}\S/.test(body)) {
      out.get(owner)?.push(body.trim());
    } else {
      inVia = false;
    }
  }
  return out;
}

/** A `# via` parent as a canonical name when it is a bare project name (`name (pyproject.toml)` too). */
function viaParent(text: string): string {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:\s*\(.*\))?$/.exec(text);
  return m?.[1] !== undefined ? canonical(m[1]) : text;
}

function parseInto(state: State, text: string, file: string, asConstraints: boolean): void {
  const dir = dirname(resolve(file));
  const vias = viaAnnotations(text);
  for (const { text: written, line } of logicalLines(text)) {
    const fail = (message: string): never => {
      throw new LockError(file, message, line);
    };
    const raw = expandEnvVars(written, state.env);
    const unset = /\$\{([A-Z0-9_]+)\}/.exec(raw);
    if (unset !== null)
      fail(
        `environment variable ${unset[1] ?? ''} is not set (pip expands \${${unset[1] ?? ''}} in requirements files)`,
      );
    /** A `git+URL@COMMIT` source, built from a clone at the commit (see resolve/git-source.ts). */
    const vcsPackage = (url: string, name: string | undefined, shown: string): LockPackage => {
      const parsed = parsePipVcsUrl(url);
      if ('error' in parsed)
        return fail(`VCS requirement ${JSON.stringify(shown)}: ${parsed.error}`);
      const named = name ?? parsed.egg;
      if (named === undefined)
        return fail(`VCS requirement ${JSON.stringify(shown)} names no project (add #egg=<name>)`);
      const pkg: LockPackage = registryPackage(canonical(named), line);
      pkg.source = { kind: 'git', url: gitSourceUrl(parsed.pin) };
      const via = vias.get(line);
      if (via !== undefined) pkg.via = via.map(viaParent);
      return pkg;
    };
    if (raw.startsWith('-')) {
      const include = takeOption(raw, ['-r', '--requirement', '-c', '--constraint']);
      if (include !== undefined) {
        const target = isAbsolute(include.value) ? include.value : resolve(dir, include.value);
        if (state.seen.has(target)) continue;
        state.seen.add(target);
        let body: string;
        try {
          body = state.read(target);
        } catch (error) {
          if (error instanceof LockError)
            throw new LockError(file, `${include.name} ${include.value}: ${error.message}`, line);
          throw error;
        }
        parseInto(
          state,
          body,
          target,
          asConstraints || include.name === '-c' || include.name === '--constraint',
        );
        continue;
      }
      const index = takeOption(raw, ['-i', '--index-url']);
      if (index !== undefined) {
        state.lock.indexUrl = index.value;
        continue;
      }
      const extra = takeOption(raw, ['--extra-index-url']);
      if (extra !== undefined) {
        state.lock.extraIndexUrls.push(extra.value);
        continue;
      }
      const links = takeOption(raw, ['-f', '--find-links']);
      if (links !== undefined) {
        const v = links.value;
        state.lock.findLinks.push(
          /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || isAbsolute(v) ? v : resolve(dir, v),
        );
        continue;
      }
      if (raw === '--no-index') {
        state.lock.noIndex = true;
        continue;
      }
      const editable = /^(?:-e|--editable)(?:\s+|=)(\S+)/.exec(raw);
      if (editable !== null) {
        // A VCS checkout is built like any git source (a PEX has no editable installs).
        if (VCS_RE.test(editable[1] ?? '') && !asConstraints)
          state.lock.packages.push(vcsPackage(editable[1] ?? '', undefined, raw));
        continue; // else the project itself (uv export emits `-e .`)
      }
      if (/^--require-hashes\b/.test(raw)) state.requireHashes = true;
      if (
        /^--(only-binary|no-binary|prefer-binary|pre|trusted-host|require-hashes|use-feature|no-deps)\b/.test(
          raw,
        )
      )
        continue;
      fail(`unsupported option ${JSON.stringify(raw.split(/\s/)[0])}`);
    }
    // Split off per-requirement options (`--hash=sha256:…`).
    const hashes: string[] = [];
    const body = raw
      .replace(/\s--hash[=\s]\s*(\S+)/g, (_m, h: string) => {
        const pin = parseHashText(h);
        if ('error' in pin) fail(`bad --hash ${JSON.stringify(h)} (${pin.error})`);
        // Like pip: only secure algorithms (md5, sha1 or an unknown name are refused here).
        else if (!isSecureHashAlgorithm(pin.algorithm))
          fail(
            `bad --hash ${JSON.stringify(h)} (${pin.algorithm} is weak or unknown; use one of ${SECURE_HASH_ALGORITHMS.join(', ')})`,
          );
        else hashes.push(`${pin.algorithm}:${pin.digest}`);
        return '';
      })
      .trim();
    const head = (body.split(/\s+;|;\s/)[0] ?? body).trim();
    if (VCS_RE.test(head)) {
      const pkg = vcsPackage(head, undefined, body);
      const marker = /;\s*(.*)$/.exec(body.slice(head.length))?.[1]?.trim();
      if (marker) pkg.marker = marker;
      if (hashes.length > 0) pkg.allowedHashes = hashes;
      if (!asConstraints) state.lock.packages.push(pkg);
      continue;
    }
    if (!head.includes('@') && (looksLikePath(head) || head.startsWith('file:'))) {
      // A file or directory, as pip reads such a line.
      const local = localFile(head, dir, fail);
      const pkg: LockPackage = registryPackage(local.name, line);
      pkg.version = local.version;
      pkg.source = { kind: 'path', path: local.artifact.path as string };
      if (hashes.length > 0) pkg.allowedHashes = hashes;
      if (hashes.length === 1 && hashes[0]?.startsWith('sha256:') === true)
        local.artifact.sha256 = hashes[0].slice('sha256:'.length);
      const marker = /;\s*(.*)$/.exec(body.slice(head.length))?.[1]?.trim();
      if (marker) pkg.marker = marker;
      if (local.artifact.kind === 'wheel') pkg.wheels.push(local.artifact);
      else pkg.sdist = local.artifact;
      const via = vias.get(line);
      if (via !== undefined) pkg.via = via.map(viaParent);
      if (!asConstraints) state.lock.packages.push(pkg);
      continue;
    }
    const m = REQ_RE.exec(body);
    if (m === null || m[1] === undefined) fail(`cannot parse requirement ${JSON.stringify(body)}`);
    const match = m as RegExpExecArray;
    const name = canonical(match[1] as string);
    if (asConstraints) {
      if (match[4] !== undefined) state.constraints.set(name, match[4]);
      continue;
    }
    const pkg: LockPackage = registryPackage(name, line);
    if (match[4] !== undefined) pkg.version = match[4];
    if (match[7] !== undefined && match[7].trim() !== '') pkg.marker = match[7].trim();
    if (hashes.length > 0) pkg.allowedHashes = hashes;
    const via = vias.get(line);
    if (via !== undefined) pkg.via = via.map(viaParent);
    const url = match[6];
    if (url !== undefined && VCS_RE.test(url)) {
      const git = vcsPackage(url, name, body);
      git.via = pkg.via;
      if (pkg.marker !== undefined) git.marker = pkg.marker;
      if (hashes.length > 0) git.allowedHashes = hashes;
      if (git.via === undefined) delete git.via;
      state.lock.packages.push(git);
      continue;
    }
    if (url !== undefined && url.includes('#') && /[#&]subdirectory=/.test(url))
      fail(`unsupported: ${JSON.stringify(url)} names a subdirectory of an archive`);
    if (url !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
      // `name @ ./path` is not PEP 508, but a local path pip resolves: say so.
      fail(`unsupported: local path ${JSON.stringify(url)} (use a file: URL to a wheel or sdist)`);
    }
    if (url !== undefined && url.startsWith('file:') && !ARCHIVE_RE.test(filenameOf(url)))
      fail(
        `unsupported: local path ${JSON.stringify(url)} (a project directory; pexkit reads a wheel or sdist file here)`,
      );
    if (url !== undefined) {
      const filename = filenameOf(url);
      const isLocal = url.startsWith('file:');
      const located: LockArtifact = {
        kind: filename.endsWith('.whl') ? 'wheel' : 'sdist',
        filename,
      };
      if (isLocal) located.path = decodeURIComponent(new URL(url).pathname);
      else located.url = url;
      if (hashes.length === 1 && hashes[0].startsWith('sha256:'))
        located.sha256 = hashes[0].slice('sha256:'.length);
      pkg.source = isLocal ? { kind: 'path', path: located.path as string } : { kind: 'url', url };
      if (located.kind === 'wheel') pkg.wheels.push(located);
      else pkg.sdist = located;
    } else if (pkg.version === undefined) {
      state.unpinned.push({ pkg, file, line });
    }
    state.lock.packages.push(pkg);
  }
}

/**
 * Parses a pinned requirements file (pip-compile / `uv export` output). Wheels are not listed in
 * such files; the index (or find-links) supplies them, checked against each package's `--hash`es.
 */
export function parseRequirements(text: string, path: string, options: Options = {}): Lock {
  const abs = resolve(path);
  const state: State = {
    lock: {
      path: abs,
      format: 'requirements',
      members: [],
      packages: [],
      hasEdges: false,
      resolutionMarkers: [],
      extraIndexUrls: [],
      findLinks: [],
    },
    constraints: new Map(),
    unpinned: [],
    seen: new Set([abs]),
    read: options.read ?? readLockText,
    env: options.env ?? process.env,
  };
  parseInto(state, text, path, false);
  for (const { pkg, file, line } of state.unpinned) {
    const pin = state.constraints.get(pkg.name);
    if (pin === undefined) {
      throw new LockError(
        file,
        `'${pkg.name}' is not pinned: a requirements lock needs 'name==version' for every package`,
        line,
      );
    }
    pkg.version = pin;
  }
  for (const pkg of state.lock.packages)
    if (state.lock.indexUrl !== undefined) pkg.indexUrl = state.lock.indexUrl;
  checkHashMode(state, path);
  return state.lock;
}

/**
 * pip's hash-checking mode: once any requirement has a `--hash` (or `--require-hashes` is
 * given), every requirement needs one. Otherwise a line without hashes would be fetched
 * unverified by name — e.g. `uv export` of a package from a local or private index writes it
 * without hashes or index, and the public index may hold a different project of that name.
 */
function checkHashMode(state: State, path: string): void {
  const packages = state.lock.packages;
  if (state.requireHashes !== true && !packages.some((p) => p.allowedHashes !== undefined)) return;
  const git = packages.find((p) => p.source.kind === 'git');
  if (git !== undefined)
    throw new LockError(
      path,
      `'${git.name}' is a git source, and pip's hash-checking mode (--hash or --require-hashes) cannot verify a repository: pin a wheel or sdist with --hash instead, or use a file without hashes`,
      git.line,
    );
  const bare = packages.filter((p) => p.allowedHashes === undefined);
  if (bare.length === 0) return;
  const list = bare
    .slice(0, 5)
    .map(
      (p) =>
        `'${p.name}${p.version !== undefined ? `==${p.version}` : ''}'${p.line !== undefined ? ` (line ${p.line})` : ''}`,
    )
    .join(', ');
  throw new LockError(
    path,
    `hashes are required for every requirement once one has --hash (pip's hash-checking mode), but ${list}${bare.length > 5 ? ` and ${bare.length - 5} more` : ''} ${bare.length === 1 ? 'has' : 'have'} none: add --hash values, or use a file without hashes`,
    bare[0]?.line,
  );
}

/** Reads a pinned requirements file. */
export function readRequirements(path: string): Lock {
  return parseRequirements(readLockText(path), path);
}
