/**
 * Seeded generators of PEP 508 markers, environments and requirement strings for the
 * differential suite.
 */
import type { MarkerEnvironment } from '../pep508/marker.js';
import type { Rng } from '../testing/differential.js';
import { genName, genSpecifier, mutate } from './pep-generators.js';

const VERSION_VARS = [
  'python_version',
  'python_full_version',
  'implementation_version',
  'platform_release',
];
const STRING_VARS = [
  'os_name',
  'os.name',
  'sys_platform',
  'sys.platform',
  'platform_machine',
  'platform.machine',
  'platform_system',
  'platform_version',
  'platform.version',
  'platform_python_implementation',
  'platform.python_implementation',
  'python_implementation',
  'implementation_name',
];
const VERSION_VALUES = [
  '3.8',
  '3.9',
  '3.10',
  '3.11',
  '3.12',
  '3.13',
  '3.14',
  '3',
  '2.7',
  '3.8.10',
  '3.13.0rc1',
  '3.12.0+',
  '3.10.0a1',
  '3.8.*',
  '3.*',
  '5.15.0',
  '6.1.0-generic',
  '22.1.0',
  '10',
  '10.0.19045',
  'abc',
  '',
  ' 3.8',
  '3.8 ',
  'v3.9',
  '3.11+local',
];
const STRING_VALUES = [
  'linux',
  'darwin',
  'win32',
  'posix',
  'nt',
  'Linux',
  'Darwin',
  'Windows',
  'x86_64',
  'aarch64',
  'AMD64',
  'arm64',
  'CPython',
  'PyPy',
  'cpython',
  'pypy',
  '#1 SMP',
  'foo',
  '',
  'lin',
  'x86',
  '3.8',
  'Linux x86_64',
  'a"b',
  "a'b",
  'x\\ty',
  '\\u0041MD64',
  'a\\\\b',
  '\\x6cinux',
  '\\154inux',
  'li\\\nnux',
  '\\',
];
const EXTRA_VALUES = [
  'foo',
  'Foo_Bar',
  'foo-bar',
  'foo.bar',
  'test',
  'Test.Extra',
  '',
  'a,b',
  'FOO',
];
const OPS = ['==', '!=', '<', '<=', '>', '>=', '~=', '===', 'in', 'not in', '==', '>=', '<'];

function quote(rng: Rng, value: string): string {
  if (value.includes('"')) return `'${value}'`;
  if (value.includes("'")) return `"${value}"`;
  return rng.chance(0.5) ? `"${value}"` : `'${value}'`;
}
function ws(rng: Rng): string {
  return rng.chance(0.8) ? ' ' : rng.pick(['', '  ', '\t']);
}

function genItem(rng: Rng): string {
  const r = rng.next();
  let variable: string;
  let value: string;
  if (r < 0.45) {
    variable = rng.pick(VERSION_VARS);
    value = rng.pick(VERSION_VALUES);
  } else if (r < 0.8) {
    variable = rng.pick(STRING_VARS);
    value = rng.pick(STRING_VALUES);
  } else if (r < 0.93) {
    variable = 'extra';
    value = rng.pick(EXTRA_VALUES);
  } else if (r < 0.97) {
    variable = rng.pick(['extras', 'dependency_groups']);
    value = rng.pick([...EXTRA_VALUES, 'dev', 'Dev', 'docs']);
  } else {
    variable = quote(rng, rng.pick(['sys_platform', 'linux', 'os_name']));
    value = rng.pick(STRING_VALUES);
  }
  const op = rng.pick(OPS);
  const left = rng.chance(0.2) ? quote(rng, value) : variable;
  const right = left === variable ? quote(rng, value) : variable;
  return `${left}${ws(rng)}${op}${ws(rng)}${right}`;
}

const TRICKY_MARKERS = [
  'python_version=="3.8"and os_name=="posix"',
  'python_version == "3.8"or(os_name=="nt")',
  'os_name notin "posix"',
  'os_name not  in "posix"',
  'os_name not\tin "posix nt"',
  '"posix" in os_name',
  'python_version in "3.8 3.9 3.10"',
  'python_version not in "2.7"',
  'python_full_version in "3.12.0+"',
  'extra == "Foo.Bar"',
  '"foo" == extra',
  'extra in "foo,bar"',
  'extra != ""',
  "extra=='test'",
  'os_name == "a\\nb"',
  "os_name == 'a\\x41'",
  'os_name == "\\u00e9"',
  'os_name == "\\101"',
  'os_name == "\\"',
  'os_name == "a\\\\"',
  'os_name == "\\q"',
  'os_name == "\\x4"',
  'os_name == "\\U0001F600"',
  'os_name == "a\nb"',
  'os_name == "a\rb"',
  'os_name ==\u00a0"posix"',
  'os_name\n== "posix"',
  '(python_version >= "3.8")',
  '((python_version >= "3.8"))',
  '(python_version >= "3.8"',
  'python_version >= "3.8")',
  'python_version >= "3.8" and',
  'and python_version >= "3.8"',
  '',
  ' ',
  'python_version',
  'python_version >=',
  'python_version >= 3.8',
  'python_version ~= "3.8"',
  'python_version ~= "3"',
  'python_version === "3.8"',
  'os_name === "posix"',
  'os_name ~= "posix"',
  'platform_release >= "5.0"',
  'platform_release < "6"',
  'implementation_version > "7.3"',
  'python_full_version < "3.13"',
  'python_full_version >= "3.13.0rc1"',
  'python_version > "3.8.*"',
  'python_version == "3.*"',
  'python_version != "3.10.*"',
  'python_version == "3.1*"',
  'python_version < "3.10" and python_version > "3.8" or extra == "foo"',
  'sys_platform == \'win32\' and platform_machine == "AMD64"',
  'python_version=="3.8"andos_name=="posix"',
  'dependency_groups == "dev"',
  '"dev" in dependency_groups',
  '"a" == "b"',
  '"sys_platform" == "linux"',
  'sys_platform == sys_platform',
  'extras == "a"',
  'os_name == "posix" or',
  'os_name == "a\'b\\""',
  'python_version <= "3.10" or python_version >= "3.12.0"',
];

/** A marker expression with `and` / `or` and parentheses, occasionally mutated. */
export function genMarker(rng: Rng, depth = 0): string {
  if (depth === 0 && rng.chance(0.1)) {
    const tricky = rng.pick(TRICKY_MARKERS);
    return rng.chance(0.3) ? mutate(rng, tricky) : tricky;
  }
  const n = depth > 1 ? 1 : rng.pick([1, 1, 2, 2, 3]);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0)
      parts.push(rng.pick([' and ', ' or ', ' and ', ' or ', 'and ', ' or(']).replace('(', ''));
    parts.push(
      depth < 2 && rng.chance(0.2)
        ? `(${ws(rng)}${genMarker(rng, depth + 1)}${ws(rng)})`
        : genItem(rng),
    );
  }
  let text = parts.join('');
  if (depth === 0 && rng.chance(0.08)) text = mutate(rng, text);
  return text;
}

function env(
  impl: 'cpython' | 'pypy',
  full: string,
  os: 'linux' | 'darwin' | 'win32',
  machine: string,
  release: string,
  implVersion = full,
): MarkerEnvironment {
  const [maj, min] = full.split('.');
  return {
    implementation_name: impl,
    implementation_version: implVersion,
    os_name: os === 'win32' ? 'nt' : 'posix',
    platform_machine: machine,
    platform_release: release,
    platform_system: os === 'linux' ? 'Linux' : os === 'darwin' ? 'Darwin' : 'Windows',
    platform_version:
      os === 'linux'
        ? '#1 SMP PREEMPT_DYNAMIC'
        : os === 'darwin'
          ? 'Darwin Kernel Version 23.1.0'
          : '10.0.19045',
    python_full_version: full,
    platform_python_implementation: impl === 'cpython' ? 'CPython' : 'PyPy',
    python_version: `${maj}.${min}`,
    sys_platform: os,
  };
}

/** Environments spanning interpreters, platforms and odd version strings. */
export const ENVIRONMENTS: readonly MarkerEnvironment[] = [
  env('cpython', '3.8.10', 'linux', 'x86_64', '5.15.0-91-generic'),
  env('cpython', '3.9.18', 'linux', 'aarch64', '6.1.0'),
  env('cpython', '3.10.12', 'darwin', 'arm64', '23.1.0'),
  env('cpython', '3.11.7', 'darwin', 'x86_64', '22.6.0'),
  env('cpython', '3.12.1', 'win32', 'AMD64', '10'),
  env('cpython', '3.13.0rc1', 'linux', 'x86_64', '6.5.0'),
  env('cpython', '3.12.0+', 'linux', 'ppc64le', '4.18.0-513.el8.ppc64le'),
  env('cpython', '3.14.0a3', 'win32', 'ARM64', '11'),
  env('pypy', '3.10.13', 'linux', 'x86_64', '5.4.0', '7.3.15'),
  env('pypy', '3.9.18', 'darwin', 'arm64', '21.6.0', '7.3.13'),
  env('cpython', '2.7.18', 'linux', 'i686', '3.10.0'),
  env('cpython', '3.11.9', 'linux', 's390x', ''),
];

const URLS = [
  'https://example.com/pkg-1.0-py3-none-any.whl',
  'git+https://github.com/a/b.git@v1.0#egg=b',
  'file:///tmp/x.tar.gz',
  'https://x/y;z',
  'https://x/y?a=1&b=2',
  './local/path',
];

const TRICKY_REQUIREMENTS = [
  'name',
  'name[]',
  'name[ ]',
  'name[a,]',
  'name[a b]',
  'name[a,,b]',
  'name [a] >= 1.0',
  'name(>=1.0)',
  'name (>=1.0',
  'name >=1.0)',
  'name>=1.0,',
  'name>=1.0,,<2',
  'name==1.0.*',
  'name==1.0a1.*',
  'name>=1.0.*',
  'name>=1.0+local',
  'name==1.0+local',
  'name~=1',
  'name~=1.0',
  'name===anything-goes',
  'name=== 1.0',
  'name@https://x',
  'name @https://x',
  'name @ https://x ;os_name=="nt"',
  'name @ https://x;os_name=="nt"',
  'name @ https://x\t; os_name == "nt"',
  'name @ ',
  'name @',
  'name[x]@ https://x',
  'name ; os_name=="nt"',
  'name;os_name=="nt"',
  'name>=1.0;os_name=="nt"',
  'name >= 1.0 ; ',
  'name-',
  'name.',
  '-name',
  'na me',
  'nameé',
  'name-é>=1',
  'é',
  '1name',
  'n',
  'name\t>=1',
  'name>=1\t',
  '\tname',
  'name\n',
  'name[a]\t(>=1)',
  'name <=1.0, >=0.5 ; python_version < "3.8" or extra == "Test"',
  'name>=1.0 ,<2 ,!=1.5',
  'name>=v1.0',
  'name (== 1.0)',
  'name ( == 1.0 , < 2 )',
  'name>=1.0 and',
  'name>=1.0 # comment',
  'name>=1!2.0',
  'name==1.0-1',
  'name==1.0.post1.dev2+abc.5',
  'name<1.0a1',
  'name>1.0.post1',
  'name ===1.0;os_name=="nt"',
];

/** A requirement string: names, extras, specifiers (bare or parenthesised), URLs, markers. */
export function genRequirement(rng: Rng): string {
  if (rng.chance(0.1)) {
    const tricky = rng.pick(TRICKY_REQUIREMENTS);
    return rng.chance(0.3) ? mutate(rng, tricky) : tricky;
  }
  let text = rng.chance(0.05) ? ' ' : '';
  text += rng.chance(0.85)
    ? rng.pick(['requests', 'Django', 'zope.interface', 'typing_extensions', 'a', 'Foo-Bar'])
    : genName(rng);
  if (rng.chance(0.3)) {
    const extras = Array.from({ length: rng.int(4) }, () =>
      rng.pick(['security', 'socks', 'B', 'a', 'Foo_Bar', 'x.y']),
    );
    text += `${ws(rng)}[${ws(rng)}${extras.join(rng.pick([',', ', ', ' ,']))}${ws(rng)}]`;
  }
  if (rng.chance(0.12)) {
    text += `${rng.pick([' @ ', '@', ' @', '@ '])}${rng.pick(URLS)}`;
    if (rng.chance(0.5)) text += `${rng.pick([' ; ', ' ;', ';', '  ;  '])}${genMarker(rng)}`;
  } else {
    const n = rng.pick([0, 1, 1, 2, 3]);
    const spec = Array.from({ length: n }, () => genSpecifier(rng).text).join(
      rng.pick([',', ', ', ' ,']),
    );
    if (n > 0)
      text += rng.chance(0.25) ? `${ws(rng)}(${spec})` : `${rng.chance(0.3) ? ' ' : ''}${spec}`;
    if (rng.chance(0.4)) text += `${rng.pick([' ; ', ';', '; ', ' ;'])}${genMarker(rng)}`;
  }
  if (rng.chance(0.1)) text = mutate(rng, text);
  return text;
}
