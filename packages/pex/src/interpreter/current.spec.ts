import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolsPython } from '../testing/python-tools.js';
import { currentTarget, findPython, inspectInterpreter, targetFromInterpreter } from './current.js';

const PY38 = join(process.env['HOME'] ?? '/root', '.pyenv/versions/3.8.18/bin/python3');

describe('current target', () => {
  const cache = mkdtempSync(join(tmpdir(), 'interp-cache-'));

  it('matches packaging.tags.sys_tags() when computing tags itself', async () => {
    const python = toolsPython();
    const expected = JSON.parse(
      execFileSync(
        python,
        [
          '-c',
          'import json; from packaging import tags; print(json.dumps([str(t) for t in tags.sys_tags()]))',
        ],
        {
          encoding: 'utf8',
        },
      ),
    ) as string[];
    const own = targetFromInterpreter(
      await inspectInterpreter(python, { cacheDir: cache, noPackaging: true }),
    );
    expect(own.compatibleTags).toEqual(expected);
    const viaPackaging = await currentTarget({ python, cacheDir: cache });
    expect(viaPackaging.compatibleTags).toEqual(expected);
    expect(viaPackaging.markerEnvironment.python_version).toBe('3.11');
    expect(viaPackaging.unknownMarkers).toEqual([]);
  });

  it('inspects another real interpreter and caches the answer', async () => {
    const t = await currentTarget({ python: PY38, cacheDir: cache, noPackaging: true });
    expect(t.pythonVersion).toEqual([3, 8]);
    expect(t.abis).toEqual(['cp38']);
    expect(t.compatibleTags?.slice(0, 2).join(' ')).toMatch(
      /^cp38-cp38-linux_x86_64 cp38-cp38-manylinux_2_\d+_x86_64$/,
    );
    expect(t.compatibleTags).toContain('py3-none-any');
    const files = readdirSync(join(cache, 'interpreters')).length;
    const again = await currentTarget({ python: PY38, cacheDir: cache, noPackaging: true });
    expect(again.compatibleTags).toEqual(t.compatibleTags);
    expect(readdirSync(join(cache, 'interpreters')).length).toBe(files);
  });

  /** `packaging.tags.sys_tags()` of `python` with packaging 26.3 (pure Python, from .venv-tools) on its path. */
  function referenceTags(python: string): string[] {
    const only = mkdtempSync(join(tmpdir(), 'packaging-only-'));
    const site = execFileSync(
      toolsPython(),
      ['-c', 'import os, packaging; print(os.path.dirname(packaging.__file__))'],
      { encoding: 'utf8' },
    ).trim();
    cpSync(site, join(only, 'packaging'), { recursive: true });
    return JSON.parse(
      execFileSync(
        python,
        [
          '-c',
          'import json; from packaging import tags; print(json.dumps([str(t) for t in tags.sys_tags()]))',
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, PYTHONPATH: only },
        },
      ),
    ) as string[];
  }

  it.skipIf(!existsSync('/usr/bin/pypy3'))(
    'computes PyPy tags like packaging 26.3 does',
    async () => {
      const t = await currentTarget({
        python: '/usr/bin/pypy3',
        cacheDir: cache,
        noPackaging: true,
      });
      expect(t.implementation).toBe('pp');
      expect(t.compatibleTags).toEqual(referenceTags('/usr/bin/pypy3'));
    },
  );

  // packaging 26.3 itself needs Python 3.9+.
  it.each(['3.9.18', '3.10.13', '3.12.1', '3.13.0'])(
    'computes CPython %s tags like packaging 26.3 does',
    async (v) => {
      const python = join(process.env['HOME'] ?? '/root', `.pyenv/versions/${v}/bin/python3`);
      if (!existsSync(python)) return;
      const t = await currentTarget({ python, cacheDir: cache, noPackaging: true });
      expect(t.compatibleTags).toEqual(referenceTags(python));
    },
  );

  it('reports a missing interpreter clearly', () => {
    expect(() => findPython('/nonexistent/python3')).toThrow(
      /Python interpreter \/nonexistent\/python3 does not exist/,
    );
    expect(() => findPython('python-nope', { PATH: '/usr/bin' })).toThrow(
      /No 'python-nope' on PATH/,
    );
  });
});
