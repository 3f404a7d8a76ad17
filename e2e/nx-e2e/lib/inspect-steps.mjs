// e2e steps for the inferred `inspect` target (pexkit inspect on the generated app's PEX).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { assert } from './steps.mjs';

/**
 * `nx inspect <app>` writes the JSON and HTML reports next to the PEX, and a second run (after
 * removing dist/) restores both from the cache.
 *
 * @param {object} ctx
 * @param {import('./steps.mjs').Steps} ctx.steps
 * @param {(args: string[]) => Promise<{ stdout: string }>} ctx.nx  runs `npx nx …` in the workspace
 * @param {string} ctx.ws  the workspace
 * @param {string} ctx.app  the Nx project
 * @param {string} ctx.pex  its PEX, workspace-relative (`dist/apps/app/app.pex`)
 * @param {(stdout: string) => boolean} ctx.fromCache
 * @param {string[]} ctx.needs  steps that must have passed
 */
export async function inspectSteps({ steps, nx, ws, app, pex, fromCache, needs }) {
  const stem = join(ws, pex.replace(/\.pex$/, '.inspect'));
  const name = `nx inspect ${app}: per-wheel sizes and requirers, JSON and HTML beside the PEX`;
  await steps.run(
    name,
    async () => {
      const out = await nx(['inspect', app]);
      assert(/Target current: \d+ wheel\(s\)/.test(out.stdout), `no table: ${out.stdout}`);
      assert(existsSync(`${stem}.json`) && existsSync(`${stem}.html`), 'no reports beside the PEX');
      const report = JSON.parse(readFileSync(`${stem}.json`, 'utf8'));
      assert(report.schema === 'pexkit-inspect/1', `schema ${report.schema}`);
      const six = report.targets[0]?.wheels.find((w) => w.name === 'six');
      assert(six !== undefined, `six is not in the report: ${JSON.stringify(report.wheels)}`);
      assert(
        JSON.stringify(six.required_by) === '["greeter"]',
        `six should be pulled in by greeter, got ${JSON.stringify(six.required_by)}`,
      );
      assert(six.installed_bytes > 0 && six.files > 0 && six.pex_bytes > 0, JSON.stringify(six));
      const html = readFileSync(`${stem}.html`, 'utf8');
      const boxes = html.match(/<rect data-wheel="/g) ?? [];
      assert(
        boxes.length === report.wheels.length,
        `${boxes.length} treemap boxes for ${report.wheels.length} wheels`,
      );
      assert(!/https?:\/\//.test(html), 'the page refers to the network');
      return `${report.wheels.length} wheel(s), ${report.totals.installed_bytes} bytes installed`;
    },
    needs,
  );
  await steps.run(
    `second nx inspect ${app} is a cache hit that restores both reports`,
    async () => {
      const json = readFileSync(`${stem}.json`);
      rmSync(join(ws, 'dist'), { recursive: true, force: true });
      const out = await nx(['inspect', app]);
      assert(fromCache(out.stdout) && /2\/2 hit|2 out of 2 tasks/.test(out.stdout), out.stdout);
      assert(readFileSync(`${stem}.json`).equals(json), 'the restored JSON report differs');
      assert(existsSync(`${stem}.html`), 'the HTML report was not restored');
    },
    [name],
  );
}
