/* global Buffer, fetch */
// e2e steps for issue 13 §2: a PEX is the same file whichever Node builds it, so Nx's task hash
// leaves Node out, and a self-hosted remote cache (Nx's HTTP API, served here on loopback) hands
// clone 2, at another path with empty caches, the PEX clone 1 built.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { check } from './exec.mjs';
import { assert } from './steps.mjs';

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * A loopback server implementing Nx's self-hosted remote cache API (the OpenAPI spec of
 * https://nx.dev/docs/kb/self-hosted-caching): `PUT /v1/cache/{hash}` stores a tar archive (409
 * when the hash is already there), `GET /v1/cache/{hash}` returns it (404 when absent), both
 * behind `Authorization: Bearer <token>` (401 without, 403 with another token).
 */
export function startRemoteCache(token) {
  const entries = new Map();
  const log = [];
  const server = createServer((req, res) => {
    const match = /^\/v1\/cache\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '');
    const auth = req.headers.authorization;
    const status = (code) => {
      log.push({ method: req.method, hash: match?.[1], status: code });
      res.writeHead(code).end();
    };
    if (match === null) return status(404);
    if (auth === undefined) return status(401);
    if (auth !== `Bearer ${token}`) return status(403);
    const hash = match[1];
    if (req.method === 'GET') {
      const body = entries.get(hash);
      if (body === undefined) return status(404);
      log.push({ method: 'GET', hash, status: 200 });
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
      return undefined;
    }
    if (req.method === 'PUT') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (entries.has(hash)) return status(409);
        entries.set(hash, Buffer.concat(chunks));
        return status(200);
      });
      return undefined;
    }
    return status(405);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        entries,
        log,
        stop: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

/** Installs another Node major (the registry's `node-linux-<arch>` package) and returns its bin dir. */
async function otherNode(dir, env) {
  const major = Number(process.versions.node.split('.')[0]) === 22 ? 24 : 22;
  const pkg = `node-linux-${process.arch}`;
  mkdirSync(dir, { recursive: true });
  await check(
    'npm',
    ['install', '--no-save', '--ignore-scripts', '--prefix', dir, `${pkg}@${major}`],
    { cwd: dir, env, quiet: true },
  );
  const bin = join(dir, 'node_modules', pkg, 'bin');
  assert(existsSync(join(bin, 'node')), `no node binary in ${bin}`);
  return bin;
}

/**
 * Adds the steps. `ctx`: { steps, ws, tmp, env, here, python, appPex (workspace-relative), needs }.
 */
export async function remoteCacheSteps(ctx) {
  const { steps, ws, tmp, env, here, python, appPex, needs } = ctx;
  const taskHash = async (cwd, runEnv) =>
    (
      await check('node', [join(here, 'lib/task-hash.mjs'), cwd, 'hello-app', 'build'], {
        cwd,
        env: runEnv,
        quiet: true,
      })
    ).stdout.trim();
  const build = (cwd, runEnv, extra = []) =>
    check('npx', ['nx', 'build', 'hello-app', '--outputStyle=static', ...extra], {
      cwd,
      env: runEnv,
      quiet: true,
    });

  await steps.run(
    'another Node (other major): same Nx task hash, byte-identical PEX',
    async () => {
      const bin = await otherNode(join(tmp, 'other-node'), env);
      const otherEnv = { ...env, PATH: `${bin}:${env.PATH}` };
      const version = (await check('node', ['-v'], { env: otherEnv, quiet: true })).stdout.trim();
      assert(version !== process.version, `PATH still runs ${process.version}`);
      const [mine, theirs] = [await taskHash(ws, env), await taskHash(ws, otherEnv)];
      assert(mine === theirs, `the build hash depends on Node: ${mine} vs ${theirs} (${version})`);
      await build(ws, env, ['--skip-nx-cache']);
      const here = sha256(join(ws, appPex));
      await build(ws, otherEnv, ['--skip-nx-cache']);
      const there = sha256(join(ws, appPex));
      assert(
        here === there,
        `PEX bytes differ: ${here} (${process.version}) vs ${there} (${version})`,
      );
      return `${process.version} and ${version}: hash ${mine}, pex sha256 ${here.slice(0, 16)}`;
    },
    needs,
  );

  await steps.run(
    'self-hosted remote cache: clone 2 at another path gets the PEX clone 1 built',
    async () => {
      const token = 'e2e-token';
      const server = await startRemoteCache(token);
      try {
        const remoteEnv = (name) => ({
          ...env,
          NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url,
          NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token,
          // Empty local caches of its own for each clone (not the shared ~/.nx).
          NX_CACHE_DIRECTORY: join(tmp, `nx-cache-${name}`),
          NX_WORKSPACE_DATA_DIRECTORY: join(tmp, `nx-data-${name}`),
          PEXKIT_CACHE_DIR: join(tmp, `pexkit-cache-${name}`),
        });
        // Clone 1 builds and uploads.
        const one = remoteEnv('one');
        const hash = await taskHash(ws, one);
        const built = await build(ws, one);
        assert(
          !/cache\]|from the cache|existing outputs match the cache/.test(built.stdout),
          `clone 1 did not build:\n${built.stdout}`,
        );
        assert(
          server.entries.has(hash),
          `nothing was uploaded for ${hash}: ${JSON.stringify(server.log)}`,
        );
        const bytes = sha256(join(ws, appPex));
        // Clone 2: a git clone at another path, node_modules copied in, empty caches.
        const clone = join(tmp, 'ci-machine', 'checkout', 'ws');
        mkdirSync(join(clone, '..'), { recursive: true });
        await check('git', ['clone', '-q', ws, clone], { env, quiet: true });
        cpSync(join(ws, 'node_modules'), join(clone, 'node_modules'), {
          recursive: true,
          verbatimSymlinks: true,
        });
        const two = remoteEnv('two');
        assert(!existsSync(join(clone, appPex)), 'the clone already has the PEX');
        const hash2 = await taskHash(clone, two);
        assert(hash2 === hash, `clone 2's task hash differs: ${hash2} vs ${hash}`);
        const out = await build(clone, two);
        assert(
          /remote cache/.test(out.stdout),
          `clone 2 was not a remote cache hit:\n${out.stdout}`,
        );
        assert(
          server.log.some((r) => r.method === 'GET' && r.hash === hash && r.status === 200),
          `no GET of ${hash}: ${JSON.stringify(server.log)}`,
        );
        const pex = join(clone, appPex);
        assert(sha256(pex) === bytes, 'the PEX restored from the remote cache differs');
        assert((statSync(pex).mode & 0o111) !== 0, 'the restored PEX is not executable');
        const run = await check(pex, ['remote'], {
          cwd: tmp,
          env: { ...env, PATH: `${join(python, '..')}:${env.PATH}` },
          quiet: true,
        });
        assert(
          run.stdout.includes('Hello from greeter, remote!'),
          `the PEX printed: ${run.stdout}`,
        );
        // A wrong token is refused (the server is not an open door).
        const bad = await fetch(`${server.url}/v1/cache/${hash}`, {
          headers: { authorization: 'Bearer wrong' },
        });
        assert(bad.status === 403, `a wrong token got ${bad.status}`);
        return `hash ${hash}: PUT by clone 1, remote hit in clone 2, pex sha256 ${bytes.slice(0, 16)}`;
      } finally {
        await server.stop();
      }
    },
    needs,
  );
}
