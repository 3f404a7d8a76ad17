/**
 * Differential check on real interpreters: packaging 26.3's sys_tags() run by each
 * CPython installed here (3.9+, packaging's floor) and the system PyPy, if any, against compatibleTags for the
 * abbreviated target describing this machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compatibleTags } from '../tags/compatible.js';
import { parseTarget } from '../targets/target.js';
import { REPO_ROOT, toolsPython } from '../testing/python-tools.js';

const SCRIPT = `
import json, platform, sys, sysconfig
from packaging import tags
print(json.dumps({
  "libc": platform.libc_ver(), "platform": sysconfig.get_platform(),
  "version": list(sys.version_info[:2]), "debug": sysconfig.get_config_var("Py_DEBUG"),
  "gil_disabled": sysconfig.get_config_var("Py_GIL_DISABLED"),
  "implementation": sys.implementation.name,
  "generic_abi": tags._generic_abi()[0] if sys.implementation.name != "cpython" else None,
  "tags": [str(t) for t in tags.sys_tags()]}))
`;

function interpreters(): string[] {
  const root = join(homedir(), '.pyenv/versions');
  const found = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^3\.(9|1\d)\./.test(v))
        .map((v) => join(root, v, 'bin/python3'))
        .filter((p) => existsSync(p))
    : [];
  const pypy = ['/usr/bin/pypy3', '/usr/local/bin/pypy3'].filter((p) => existsSync(p)).slice(0, 1);
  return [toolsPython(), ...found, ...pypy];
}

interface HostAnswer {
  libc: [string, string];
  platform: string;
  version: [number, number];
  debug: number | null;
  gil_disabled: number | null;
  implementation: string;
  generic_abi: string | null;
  tags: string[];
}

describe.runIf(process.platform === 'linux')(
  'compatibleTags agrees with sys_tags() on real interpreters',
  () => {
    const site = join(REPO_ROOT, '.venv-tools/lib/python3.11/site-packages');
    it.each(interpreters())('%s', (python) => {
      const answer = JSON.parse(
        execFileSync(python, ['-c', SCRIPT], {
          encoding: 'utf8',
          env: { ...process.env, PYTHONPATH: site },
        }),
      ) as HostAnswer;
      expect(answer.libc[0]).toBe('glibc');
      const arch = answer.platform.replace(/^linux-/, '');
      const [major, minor] = answer.version;
      const glibc = answer.libc[1].replace('.', '_');
      const text =
        answer.implementation === 'pypy'
          ? `manylinux_${glibc}_${arch}-pp-${major}${minor}-${answer.generic_abi}`
          : `manylinux_${glibc}_${arch}-cp-${major}${minor}-cp${major}${minor}${answer.gil_disabled ? 't' : ''}${answer.debug ? 'd' : ''}`;
      expect(compatibleTags(parseTarget(text))).toEqual(answer.tags);
    });
  },
);
