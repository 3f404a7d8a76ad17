/** Human-readable byte count: `812 B`, `34.5 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export interface ProgressCounts {
  total: number;
  done: number;
  fromCache: number;
  local: number;
  downloaded: number;
  bytes: number;
}

/** The one-line summary printed when not on a TTY (and after the TTY line). */
export function summaryLine(counts: ProgressCounts, elapsedMs: number): string {
  const seconds = (elapsedMs / 1000).toFixed(1);
  const word = counts.downloaded === 1 ? 'file' : 'files';
  const local = counts.local > 0 ? `, ${counts.local} local` : '';
  return `fetched ${counts.downloaded} ${word} (${formatBytes(counts.bytes)}) in ${seconds} s, ${counts.fromCache} from cache${local}`;
}

/**
 * A single updating status line (`\r` + erase line) on a TTY, throttled to ~10 updates a second;
 * a one-line summary at the end. Writes nothing when `mode` is `none`.
 */
export class ProgressDisplay {
  private readonly counts: ProgressCounts;
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly mode: 'tty' | 'summary' | 'none',
    total: number,
  ) {
    this.counts = { total, done: 0, fromCache: 0, local: 0, downloaded: 0, bytes: 0 };
  }

  bytes(n: number): void {
    this.counts.bytes += n;
    this.draw(false);
  }

  finished(source: 'cache' | 'local' | 'network'): void {
    this.counts.done++;
    if (source === 'network') this.counts.downloaded++;
    else if (source === 'cache') this.counts.fromCache++;
    else this.counts.local++;
    this.draw(false);
  }

  private draw(force: boolean): void {
    if (this.mode !== 'tty') return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const c = this.counts;
    this.stream.write(
      `\r\x1b[Kfetching wheels: ${c.done}/${c.total} files, ${formatBytes(c.bytes)} downloaded`,
    );
    this.drawn = true;
  }

  /** Clears the TTY line and prints the summary; returns the summary line. */
  end(): string {
    const line = summaryLine(this.counts, Date.now() - this.started);
    if (this.mode === 'none') return line;
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.stream.write(`${line}\n`);
    return line;
  }

  get snapshot(): ProgressCounts {
    return { ...this.counts };
  }
}
