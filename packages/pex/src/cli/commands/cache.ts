import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../../cache/cache-dir.js';
import { buildCacheInfo, type BuildCacheInfo } from '../../cache/info.js';
import { pruneBuildCache, type PruneReport } from '../../cache/prune.js';
import { UsageError } from '../../errors.js';
import { BOOTSTRAP_DIR } from '../../package-info.js';
import type { CliCommand } from '../command.js';
import { parseCommandArgs } from './target-arg.js';

const HELP = `Usage: pexkit cache info [--json] [--cache-dir <dir> | --pex-root <dir>]
       pexkit cache prune [--older-than <age>] [--max-size <size>] [--dry-run] [--json]
                          [--cache-dir <dir> | --pex-root <dir> [--python <python>]]

info   what the build cache holds, per folder (downloads, built wheels, deflated wheels,
       wheel verdicts, index pages, interpreter facts, git archives): entries, files, bytes.
prune  removes entries least recently used first: every one not used for <age> (30d, 12h,
       90m, 2w), then more until at most <size> is left (5GB, 500M, 0; K/M/G/T are powers of
       1024). Entries a running build (or, with --pex-root, a running PEX) uses are kept.
       --dry-run lists what would go and removes nothing.

Options:
  --cache-dir <dir>   the build cache (default: $PEXKIT_CACHE_DIR, $XDG_CACHE_HOME/pexkit,
                      ~/.cache/pexkit)
  --pex-root <dir>    a PEX_ROOT instead (the runtime's cache; run with <python>, default
                      $PEXKIT_PYTHON or python3, as PEX_TOOLS=1 ./app.pex cache … does)
  --json              machine-readable output
  -h, --help
`;

const UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400 };

/** '5GB', '500M', '1.5g', '0' → bytes (as the runtime's cache_tools.parse_size reads them). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (m === null)
    throw new UsageError(`--max-size expects a size like 5GB, 500M or 0, got '${text}'`);
  return Math.floor(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1));
}

/** '30d', '12h', '90m', '45s', '2w' → milliseconds. */
export function parseAge(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/i.exec(text.trim());
  if (m === null)
    throw new UsageError(`--older-than expects an age like 30d, 12h, 90m or 2w, got '${text}'`);
  return Number(m[1]) * (SECONDS[(m[2] ?? '').toLowerCase()] ?? 1) * 1000;
}

export function human(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

const when = (ms: number | undefined) =>
  ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function printInfo(info: BuildCacheInfo): void {
  const lines = [`build cache ${info.root}`];
  for (const f of Object.values(info.folders)) {
    const rel = f.path.slice(info.root.length + 1);
    lines.push(
      `  ${`${rel}/`.padEnd(18)} ${String(f.entries).padStart(6)} entries ${String(f.files).padStart(7)} files ${human(f.size).padStart(11)}`,
    );
  }
  lines.push(
    `  total ${human(info.totalSize)}; last used ${when(info.oldestUse)} .. ${when(info.newestUse)}`,
    `  ${info.locks} lock files, ${info.held} entries held by running builds, ${info.temps} temp leftovers`,
  );
  if (info.obsolete.length > 0)
    lines.push(
      `  ${info.obsolete.map((d) => `${d}/`).join(', ')}: an older pexkit's, removed by cache prune`,
    );
  if (info.pexRootFolders.length > 0)
    lines.push(
      `  also a PEX_ROOT here (${info.pexRootFolders.join(', ')}): pexkit cache info --pex-root ${info.root}`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printPrune(report: PruneReport): void {
  const verb = report.dryRun ? 'would remove' : 'removed';
  const lines = report.removed.map(
    (e) => `${verb} ${e.path} (${human(e.size)}, last used ${when(e.lastUse)})`,
  );
  for (const e of report.busy) lines.push(`kept ${e.path}: in use`);
  lines.push(
    `${verb} ${report.removed.length} entries (${human(report.freed)}) from ${report.root}; ${report.kept} kept` +
      (report.tempsRemoved > 0 ? `; ${report.tempsRemoved} old temp files removed` : '') +
      (report.obsolete.length > 0
        ? `; ${report.dryRun ? 'would remove' : 'removed'} ${report.obsolete.map((d) => `${d}/`).join(', ')} (an older pexkit's)`
        : ''),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Runs the runtime's cache tool (bootstrap/pexkit_boot/cache_tools.py) on a PEX_ROOT. */
function runPexRootTool(python: string, root: string, args: string[]): Promise<number> {
  const tool = fileURLToPath(new URL('pexkit_boot/cache_tools.py', BOOTSTRAP_DIR));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, ['-s', '-E', tool, root, ...args], { stdio: 'inherit' });
    child.on('error', (error) =>
      reject(new UsageError(`cannot run ${python} for --pex-root: ${error.message}`)),
    );
    child.on('exit', (code) => resolvePromise(code ?? 1));
  });
}

export const cacheCommand: CliCommand = {
  name: 'cache',
  summary: 'show what the build cache (or a PEX_ROOT) holds, and prune it',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, HELP, {
      'cache-dir': { type: 'string' },
      'pex-root': { type: 'string' },
      python: { type: 'string' },
      'older-than': { type: 'string' },
      'max-size': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help === true) {
      process.stdout.write(HELP);
      return 0;
    }
    const [action, ...extra] = positionals;
    if (action !== 'info' && action !== 'prune')
      throw new UsageError(`expected 'info' or 'prune'\n\n${HELP}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    if (values['cache-dir'] !== undefined && values['pex-root'] !== undefined)
      throw new UsageError('--cache-dir and --pex-root: give one');
    const isPrune = action === 'prune';
    if (!isPrune && (values['older-than'] ?? values['max-size'] ?? values['dry-run']) !== undefined)
      throw new UsageError('--older-than, --max-size and --dry-run are options of cache prune');
    const olderThanMs =
      values['older-than'] === undefined ? undefined : parseAge(values['older-than']);
    const maxSize = values['max-size'] === undefined ? undefined : parseSize(values['max-size']);
    if (isPrune && olderThanMs === undefined && maxSize === undefined)
      throw new UsageError('cache prune needs --older-than <age> and/or --max-size <size>');
    if (values['pex-root'] !== undefined) {
      const python = values.python ?? process.env['PEXKIT_PYTHON'] ?? 'python3';
      const args = [action];
      if (values['older-than'] !== undefined) args.push('--older-than', values['older-than']);
      if (values['max-size'] !== undefined) args.push('--max-size', values['max-size']);
      if (values['dry-run'] === true) args.push('--dry-run');
      if (values.json === true) args.push('--json');
      return runPexRootTool(python, values['pex-root'], args);
    }
    const root = cacheDir({ cacheDir: values['cache-dir'] });
    if (!isPrune) {
      const info = await buildCacheInfo(root);
      if (values.json === true) process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      else printInfo(info);
      return 0;
    }
    const report = await pruneBuildCache(root, {
      ...(olderThanMs !== undefined ? { olderThanMs } : {}),
      ...(maxSize !== undefined ? { maxSize } : {}),
      dryRun: values['dry-run'] === true,
    });
    if (values.json === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printPrune(report);
    return 0;
  },
};
