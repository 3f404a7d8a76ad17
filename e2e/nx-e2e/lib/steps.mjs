/* global performance */
// A tiny step runner: each step is timed, may depend on earlier steps (skipped when one failed),
// and the run ends with an honest table of what passed, failed or was skipped.
export class Steps {
  constructor() {
    this.results = [];
    this.status = new Map();
  }

  async run(name, fn, needs = []) {
    const missing = needs.filter((n) => this.status.get(n) !== 'pass');
    if (missing.length > 0) {
      this.record(name, 'skip', 0, `needs ${missing.join(', ')}`);
      return undefined;
    }
    const start = performance.now();
    process.stdout.write(`\n=== ${name}\n`);
    try {
      const value = await fn();
      this.record(name, 'pass', performance.now() - start, typeof value === 'string' ? value : '');
      return value;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.record(name, 'fail', performance.now() - start, message);
      return undefined;
    }
  }

  record(name, status, ms, note) {
    this.status.set(name, status);
    this.results.push({ name, status, seconds: Math.round(ms / 100) / 10, note });
    const tag = status === 'pass' ? 'PASS' : status === 'fail' ? 'FAIL' : 'SKIP';
    process.stdout.write(
      `--- ${tag} ${name} (${(ms / 1000).toFixed(1)} s)${note ? `: ${note.split('\n').slice(0, 12).join('\n    ')}` : ''}\n`,
    );
  }

  summary(totalMs) {
    const lines = ['', 'e2e summary:'];
    for (const r of this.results)
      lines.push(
        `  ${r.status.toUpperCase().padEnd(4)} ${String(r.seconds).padStart(6)} s  ${r.name}${r.status !== 'pass' && r.note ? ` — ${r.note.split('\n')[0]}` : ''}`,
      );
    const count = (s) => this.results.filter((r) => r.status === s).length;
    lines.push(
      `  ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped in ${(totalMs / 1000).toFixed(0)} s`,
    );
    return lines.join('\n');
  }

  get ok() {
    return this.results.every((r) => r.status === 'pass');
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}
