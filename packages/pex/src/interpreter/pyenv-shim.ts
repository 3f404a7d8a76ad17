/**
 * What a pyenv shim will run, as a fingerprint of everything pyenv reads to decide it, so the
 * answer of one probe run can be reused until one of those inputs changes.
 *
 * A pyenv shim (`exec "<root>/libexec/pyenv" exec "$program"`) picks its interpreter from, in
 * order: `PYENV_VERSION`; the nearest `.python-version` from `PYENV_DIR` (default: the working
 * directory) up to `/`; `<root>/version`; else the system one found on `PATH`. Version names
 * are matched against `<root>/versions/*` (a prefix such as `3.11` takes the newest match), so
 * the listing of that directory is an input too. Anything else (an asdf shim, a wrapper script)
 * has no fingerprint and is asked every time.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const PYENV_SHIM = /\bexec\s+"([^"\n]+)\/libexec\/pyenv"\s+exec\s+"\$program"/;
const SHIM_MAX_BYTES = 4096;

function readSmall(file: string): string | undefined {
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size > SHIM_MAX_BYTES) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The nearest `.python-version` from `dir` upwards, as `path\0content`, or '' when none. */
function nearestVersionFile(dir: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const file = join(d, '.python-version');
    const text = readSmall(file);
    if (text !== undefined) return `${file}\0${text}`;
    if (dirname(d) === d) return '';
  }
}

function listing(dir: string): string {
  try {
    return readdirSync(dir).sort().join('\n');
  } catch {
    return '';
  }
}

/**
 * A fingerprint of the inputs that decide which interpreter the pyenv shim at `shim` runs, or
 * undefined when `shim` is not a pyenv shim.
 */
export function pyenvShimFingerprint(
  shim: string,
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): string | undefined {
  const text = readSmall(shim);
  if (text === undefined) return undefined;
  const match = PYENV_SHIM.exec(text);
  if (match === null) return undefined;
  const root = env['PYENV_ROOT'] ?? (match[1] as string);
  const versionFile =
    env['PYENV_VERSION'] === undefined || env['PYENV_VERSION'] === ''
      ? nearestVersionFile(env['PYENV_DIR'] ?? cwd)
      : '';
  return createHash('sha256')
    .update(
      [
        shim,
        text,
        root,
        env['PYENV_VERSION'] ?? '',
        env['PYENV_DIR'] ?? '',
        env['PYENV_HOOK_PATH'] ?? '',
        env['PATH'] ?? '',
        versionFile,
        versionFile === '' ? (readSmall(join(root, 'version')) ?? '') : '',
        listing(join(root, 'versions')),
      ].join('\0\0'),
    )
    .digest('hex')
    .slice(0, 32);
}
