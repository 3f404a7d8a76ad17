/** Test support: entry point bundled by tests to run `writePex` in another process (another user). */
import { readFileSync } from 'node:fs';
import type { BuildPlan } from '../../plan/build-plan.js';
import { exitOnSignals } from '../output.js';
import { writePex, type WritePexOptions } from '../writer.js';

exitOnSignals();
const input = JSON.parse(readFileSync(process.argv[2], 'utf8')) as {
  plan: BuildPlan;
  options: WritePexOptions;
};
writePex(input.plan, input.options).then(
  (r) => process.stdout.write(`${JSON.stringify({ sha256: r.sha256, pexHash: r.pexHash })}\n`),
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exitCode = 1;
  },
);
