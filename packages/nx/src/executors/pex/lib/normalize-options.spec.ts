import { describe, expect, it } from 'vitest';
import { toBuildPexOptions } from './build-call.js';
import { normalizeOptions, type NormalizeContext } from './normalize-options.js';

const ctx: NormalizeContext = {
  workspaceRoot: '/ws',
  projectName: 'web-app',
  projectRoot: 'py/apps/web',
  pythonName: 'web-app',
  uvWorkspaceRoot: 'py',
  exists: (p) => p === '/ws/py/uv.lock' || p === '/ws/locks/pylock.toml',
};

describe('normalizeOptions', () => {
  it('fills defaults: the uv workspace lock, current target, dist/{projectRoot}/<name>.pex', () => {
    const o = normalizeOptions({}, ctx);
    expect(o).toMatchObject({
      lock: '/ws/py/uv.lock',
      output: '/ws/dist/py/apps/web/web-app.pex',
      outputRelative: 'dist/py/apps/web/web-app.pex',
      projectDir: '/ws/py/apps/web',
      targets: ['current'],
      layout: 'zipapp',
      compress: true,
      inheritPath: 'false',
      offline: false,
      allowUndeclaredImports: false,
    });
    expect(o.entryPoint).toBeUndefined();
  });

  it('runs the only console script, or the one named like the project, unless told otherwise', () => {
    expect(normalizeOptions({}, { ...ctx, scripts: ['serve'] }).consoleScript).toBe('serve');
    expect(normalizeOptions({}, { ...ctx, scripts: ['admin', 'web_app'] }).consoleScript).toBe(
      'web_app',
    );
    expect(
      normalizeOptions({ entryPoint: 'm:f' }, { ...ctx, scripts: ['serve'] }).consoleScript,
    ).toBeUndefined();
    expect(() => normalizeOptions({}, { ...ctx, scripts: ['a', 'b'] })).toThrow(
      /several console scripts \(a, b\): choose one/,
    );
  });

  it('resolves paths against the workspace root and keeps URLs', () => {
    const o = normalizeOptions(
      {
        lock: 'locks/pylock.toml',
        output: 'out/app.pex',
        findLinks: ['wheels', 'https://x/simple'],
        cacheDir: '.cache',
      },
      ctx,
    );
    expect(o.lock).toBe('/ws/locks/pylock.toml');
    expect(o.output).toBe('/ws/out/app.pex');
    expect(o.findLinks).toEqual(['/ws/wheels', 'https://x/simple']);
    expect(o.cacheDir).toBe('/ws/.cache');
  });

  it('passes the interpreters on to buildPex, matched to targets there', () => {
    const o = normalizeOptions({ python: ['python3.12', 'pypy3'] }, ctx);
    expect(o.python).toEqual(['python3.12', 'pypy3']);
    expect(toBuildPexOptions(o).python).toEqual(['python3.12', 'pypy3']);
    expect(toBuildPexOptions(normalizeOptions({}, ctx)).python).toBeUndefined();
  });

  it('fails naming the project and option', () => {
    expect(() => normalizeOptions({ entryPoint: 'a:b', consoleScript: 'c' }, ctx)).toThrow(
      /web-app: option 'entryPoint' and 'consoleScript' are mutually exclusive/,
    );
    expect(() => normalizeOptions({ entryPoint: 'a b' }, ctx)).toThrow(
      /option 'entryPoint' must be 'module' or 'module:function'/,
    );
    expect(() => normalizeOptions({ layout: 'tar' as 'zipapp' }, ctx)).toThrow(
      /option 'layout' must be one of zipapp, packed, loose/,
    );
    expect(() => normalizeOptions({ targets: [] }, ctx)).toThrow(
      /option 'targets' must name at least one target/,
    );
    expect(() => normalizeOptions({ lock: 'nope.lock' }, ctx)).toThrow(
      /option 'lock' names nope.lock, which does not exist/,
    );
    expect(() => normalizeOptions({}, { ...ctx, exists: () => false })).toThrow(
      /py\/uv.lock does not exist: run 'uv lock' in py/,
    );
    expect(() => normalizeOptions({ output: '../elsewhere.pex' }, ctx)).toThrow(
      /option 'output' must be a path inside the workspace/,
    );
  });
});
