/**
 * Git sources as the lock formats write them, turned into the one form the planner builds from:
 * uv.lock's `URL[?subdirectory=DIR]#COMMIT` (see `resolve/git-source.ts`).
 *
 * - pip / requirements files: `git+URL@REV[#egg=NAME][&subdirectory=DIR]`, also after `name @`.
 * - PEP 751 pylock.toml: `[packages.vcs]` with `type = "git"`, `url` or `path`, `commit-id`.
 *
 * Only a full 40-hex commit is accepted: a branch or tag can move, so it locks nothing.
 */

/** A git source pinned to a commit. */
export interface GitPin {
  repo: string;
  commit: string;
  subdirectory?: string;
}

const COMMIT = /^[0-9a-f]{40}$/i;

/** Why a git source cannot be built, or undefined when it names a commit and a safe subdirectory. */
function problem(pin: { commit: string; subdirectory?: string }): string | undefined {
  if (!COMMIT.test(pin.commit))
    return `it is not pinned to a full commit hash (got ${JSON.stringify(pin.commit)}); a branch or tag can move`;
  const sub = pin.subdirectory;
  if (sub !== undefined && (sub === '' || sub.startsWith('/') || sub.split('/').includes('..')))
    return `its subdirectory ${JSON.stringify(sub)} leaves the repository`;
  return undefined;
}

/** uv.lock's form of a pinned git source. */
export function gitSourceUrl(pin: GitPin): string {
  const query =
    pin.subdirectory === undefined ? '' : `?subdirectory=${encodeURIComponent(pin.subdirectory)}`;
  return `${pin.repo}${query}#${pin.commit.toLowerCase()}`;
}

/**
 * Reads pip's `VCS+URL@REV#fragment`. Returns the pin and the `#egg=` name, or an error message
 * (unsupported VCS, no commit, a moving revision).
 */
export function parsePipVcsUrl(text: string): { pin: GitPin; egg?: string } | { error: string } {
  const scheme = /^([a-z]+)\+/i.exec(text);
  if (scheme === null) return { error: 'not a VCS URL' };
  if (scheme[1]?.toLowerCase() !== 'git')
    return { error: `${scheme[1] ?? ''} is unsupported (only git sources are built)` };
  const rest = text.slice(scheme[0].length);
  const hash = rest.indexOf('#');
  const base = hash < 0 ? rest : rest.slice(0, hash);
  const fragment = new URLSearchParams(hash < 0 ? '' : rest.slice(hash + 1));
  // The revision follows the last '@' of the path (an '@' before it is the user of ssh://git@host).
  const pathStart = base.indexOf('/', base.indexOf('://') + 3);
  const at = base.lastIndexOf('@');
  if (at < 0 || pathStart < 0 || at < pathStart)
    return { error: 'it names no revision (add @<full commit hash>)' };
  const pin: GitPin = { repo: base.slice(0, at), commit: base.slice(at + 1) };
  const sub = fragment.get('subdirectory');
  if (sub !== null) pin.subdirectory = sub;
  const why = problem(pin);
  if (why !== undefined) return { error: why };
  const egg = fragment.get('egg');
  return egg === null ? { pin } : { pin, egg };
}

/** Checks a pylock.toml `vcs` table's pin; an error message or undefined. */
export function pinProblem(pin: GitPin): string | undefined {
  return problem(pin);
}
