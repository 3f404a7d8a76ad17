/** Test support: PEXes of the test app over pinned real wheels, built offline from a hand-made plan. */
import { join } from 'node:path';
import { buildPex } from '../../pex/build.js';
import { appProject, planFor, writeApp } from '../../pex/test-support/fixtures.js';
import { downloadWheel } from '../../wheel/test-support/download.js';

/** Builds `<dir>/<name>.pex` holding the given pinned (py3-none-any) wheels. */
export async function buildTestPex(
  dir: string,
  name: string,
  wheels: string[],
  layout?: 'packed',
): Promise<string> {
  const app = writeApp(join(dir, `app-${name}`));
  const plan = await planFor(
    appProject(app.root),
    wheels.map((r) => downloadWheel(r, 'pure')),
  );
  const result = await buildPex({
    project: app.root,
    consoleScript: 'hello',
    output: join(dir, `${name}.pex`),
    cacheDir: join(dir, 'cache'),
    offline: true,
    ...(layout !== undefined ? { layout } : {}),
    planBuild: async () => plan,
  });
  return result.output;
}
