import { PexkitError } from '../errors.js';
import { OfflineMissingError } from './errors.js';
import {
  fetchArtifact,
  type ArtifactRef,
  type FetchedArtifact,
  type FetchOptions,
} from './fetch-artifact.js';
import { HttpClient } from './http.js';
import { ProgressDisplay, type ProgressCounts } from './progress.js';

export interface FetchAllOptions extends FetchOptions {
  /** Downloads at once (default 8). */
  concurrency?: number;
  /** `auto` (default): an updating line on a TTY, else a one-line summary; `none`: silent. */
  progress?: 'auto' | 'tty' | 'summary' | 'none';
  /** Where progress goes (default `process.stderr`). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface FetchAllResult {
  /** Same order as the input. */
  artifacts: FetchedArtifact[];
  counts: ProgressCounts;
  elapsedMs: number;
  summary: string;
}

/** Several artifacts failed; the first error's message leads, the rest are listed. */
export class FetchFailedError extends PexkitError {
  override readonly name = 'FetchFailedError';
  constructor(readonly errors: Error[]) {
    super(
      errors.length === 1
        ? errors[0].message
        : `${errors.length} artifacts could not be fetched:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`,
    );
  }
}

/**
 * Fetches many artifacts with bounded concurrency, sharing one HTTP client (retries with backoff on
 * transient errors). Offline, every artifact missing from the cache and find-links is named in one
 * OfflineMissingError. Any other failure rejects after the running downloads settle.
 */
export async function fetchAll(
  artifacts: ArtifactRef[],
  options: FetchAllOptions = {},
): Promise<FetchAllResult> {
  const started = Date.now();
  const stream = options.stream ?? process.stderr;
  const mode =
    options.progress === undefined || options.progress === 'auto'
      ? stream.isTTY === true
        ? 'tty'
        : 'summary'
      : options.progress;
  const display = new ProgressDisplay(stream, mode, artifacts.length);
  // Retries and other notes go to the progress stream unless the caller takes them.
  const log =
    options.log ??
    ((line: string): void => {
      if (mode === 'none') return;
      stream.write(`${mode === 'tty' ? '\r\x1b[K' : ''}pexkit: ${line}\n`);
    });
  const http =
    options.http ?? (options.offline === true ? undefined : new HttpClient({ ...options, log }));
  const results: FetchedArtifact[] = new Array<FetchedArtifact>(artifacts.length);
  const missing: string[] = [];
  const errors: Error[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < artifacts.length && errors.length === 0) {
      const index = next++;
      try {
        const fetched = await fetchArtifact(artifacts[index], {
          ...options,
          http,
          onBytes: (n) => display.bytes(n),
        });
        results[index] = fetched;
        display.finished(fetched.source);
      } catch (error) {
        if (error instanceof OfflineMissingError) missing.push(...error.missing);
        else errors.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 8, artifacts.length));
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    if (options.http === undefined) await http?.close();
  }
  if (errors.length > 0) {
    if (mode === 'tty') stream.write('\r\x1b[K');
    throw errors.length === 1 ? errors[0] : new FetchFailedError(errors);
  }
  if (missing.length > 0) {
    if (mode === 'tty') stream.write('\r\x1b[K');
    throw new OfflineMissingError(missing);
  }
  const summary = display.end();
  return { artifacts: results, counts: display.snapshot, elapsedMs: Date.now() - started, summary };
}
