import { describe, expect, it } from 'vitest';
import { PexkitError } from '../errors.js';
import {
  InvalidMarker,
  Marker,
  UndefinedComparison,
  UndefinedEnvironmentName,
  type MarkerEnvironment,
} from './marker.js';

const LINUX_311: MarkerEnvironment = {
  implementation_name: 'cpython',
  implementation_version: '3.11.4',
  os_name: 'posix',
  platform_machine: 'x86_64',
  platform_release: '6.5.0-1-generic',
  platform_system: 'Linux',
  platform_version: '#1 SMP',
  python_full_version: '3.11.4',
  platform_python_implementation: 'CPython',
  python_version: '3.11',
  sys_platform: 'linux',
};

const ev = (m: string, extra?: string): boolean =>
  Marker.parse(m).evaluate(LINUX_311, extra === undefined ? {} : { extra });

describe('Marker.evaluate', () => {
  it.each([
    ['python_version > "3.8"', true],
    ['python_version >= "3.11" and python_version < "3.12"', true],
    ['python_version < "3.11.0"', false],
    ['"3.8" < python_version', true], // packaging builds Specifier("<3.11") and asks about "3.8"
    ['python_version in "3.10 3.11"', true],
    ['python_version in "3.1"', false],
    ['python_version not in "2.7 3.6"', true],
    ['python_full_version == "3.11.*"', true],
    ['python_version === "3.11"', true],
    ['platform_release >= "6"', false], // "6.5.0-1-generic" is not a version
    ['os_name < "z"', false], // non-version `<` is always false
    ['os_name >= "posix"', true], // ... and `>=` is equality
    ['sys_platform == "linux" and (os_name == "nt" or platform_machine == "x86_64")', true],
    ['os.name == "posix"', true],
    ['python_implementation == "CPython"', true],
    ['"linux" in sys_platform', true],
  ])('%s → %s', (marker, expected) => {
    expect(ev(marker)).toBe(expected);
  });

  it('normalizes extras (PEP 685) on both sides', () => {
    expect(ev('extra == "Foo_Bar"', 'foo.bar')).toBe(true);
    expect(ev('extra == "Foo_Bar"')).toBe(false);
    expect(Marker.parse('extra == "test"').evaluate(LINUX_311, { extras: ['Test'] })).toBe(true);
    expect(Marker.parse('extra == "test"').evaluate(LINUX_311, { extras: ['docs'] })).toBe(false);
    expect(
      Marker.parse('"Dev" in dependency_groups').evaluate(LINUX_311, { dependencyGroups: ['dev'] }),
    ).toBe(true);
  });

  it('python_full_version ending in "+" is repaired like packaging', () => {
    expect(
      Marker.parse('python_full_version >= "3.12.0"').evaluate({ python_full_version: '3.12.0+' }),
    ).toBe(true);
  });

  it('throws UndefinedEnvironmentName naming a missing variable', () => {
    const m = Marker.parse('python_version >= "3.8" or sys_platform == "linux"');
    expect(() => m.evaluate({ python_version: '3.11' })).toThrow(UndefinedEnvironmentName);
    expect(() => m.evaluate({ python_version: '3.11' })).toThrow(/sys_platform/);
    expect(m.evaluate({ python_version: '3.11', sys_platform: 'win32' })).toBe(true);
  });

  it('throws UndefinedComparison where packaging does', () => {
    expect(() => ev('os_name ~= "posix"')).toThrow(UndefinedComparison);
    expect(() => Marker.parse('extras == "a"').evaluate(LINUX_311, { extras: ['a'] })).toThrow(
      UndefinedComparison,
    );
  });
});

describe('Marker.parse / toString', () => {
  it.each([
    [
      'python_implementation=="CPython" and (os.name == "posix")',
      'platform_python_implementation == "CPython" and os_name == "posix"',
    ],
    ["python_version>'3.8'", 'python_version > "3.8"'],
    ["os_name == 'a\"b'", "os_name == 'a\"b'"],
    ['((python_version < "3"))', 'python_version < "3"'],
  ])('%j prints as %j', (input, printed) => {
    expect(Marker.parse(input).toString()).toBe(printed);
  });

  it('decodes Python string escapes in values', () => {
    expect(Marker.parse('os_name == "\\x41\\u00e9\\101"').toString()).toBe('os_name == "AéA"');
  });

  it('lists the variables it reads', () => {
    expect(
      Marker.parse('python_version > "3" and ("x" in sys_platform or extra == "a")').variables(),
    ).toEqual(['extra', 'python_version', 'sys_platform']);
  });

  it.each([
    '',
    'python_version',
    'python_version >= 3.8',
    'os_name notin "x"',
    '(os_name == "x"',
    'os_name == "x" and',
    'os_name ==\u00a0"x"',
    'os_name == "a\\x4"',
    'foo == "x"',
  ])('rejects %j with InvalidMarker naming it', (text) => {
    expect(() => Marker.parse(text)).toThrow(InvalidMarker);
    try {
      Marker.parse(text);
    } catch (e) {
      expect(e).toBeInstanceOf(PexkitError);
      expect((e as Error).message).toContain(JSON.stringify(text));
    }
  });
});
