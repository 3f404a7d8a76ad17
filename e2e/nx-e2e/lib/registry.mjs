/* global fetch, setTimeout */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { check } from './exec.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts verdaccio on 127.0.0.1 with its storage in `dir`; @pexkit/* is local, the rest proxies upstream. */
export async function startVerdaccio(repo, dir, upstream) {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const port = await freePort();
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `storage: ${join(dir, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(dir, 'htpasswd')}`,
      '    max_users: 10',
      'uplinks:',
      '  upstream:',
      `    url: ${upstream}`,
      'packages:',
      "  '@pexkit/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    proxy: upstream',
      'log: { type: stdout, format: json, level: warn }',
      '',
    ].join('\n'),
  );
  const log = createWriteStream(join(dir, 'verdaccio.log'));
  const child = spawn(
    join(repo, 'node_modules/.bin/verdaccio'),
    ['--config', config, '--listen', `127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`${url}-/ping`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null)
      throw new Error(`verdaccio exited ${child.exitCode}; see ${join(dir, 'verdaccio.log')}`);
    if (Date.now() > deadline) throw new Error(`verdaccio did not answer on ${url} within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const user = await fetch(`${url}-/user/org.couchdb.user:e2e`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'e2e', password: 'e2e-password', email: 'e2e@example.invalid' }),
  });
  if (!user.ok)
    throw new Error(`verdaccio: creating the e2e user failed: ${user.status} ${await user.text()}`);
  const { token } = await user.json();
  const npmrc = join(dir, 'npmrc');
  writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  return { url, port, npmrc, stop: () => child.kill('SIGTERM') };
}

/** Publishes a workspace package directory to the registry. */
export async function publish(registry, packageDir) {
  await check(
    'npm',
    [
      'publish',
      '--userconfig',
      registry.npmrc,
      '--registry',
      registry.url,
      '--access',
      'public',
      '--no-workspaces',
    ],
    {
      cwd: packageDir,
    },
  );
}
