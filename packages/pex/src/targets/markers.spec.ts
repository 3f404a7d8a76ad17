import { describe, expect, it } from 'vitest';
import { InvalidMarker, Marker } from '../pep508/marker.js';
import { targetFromCompletePlatform } from './complete-platform.js';
import {
  evaluateMarkerOnTarget,
  MarkerNeedsUnknownValue,
  unknownMarkerVariables,
} from './markers.js';
import { parseTarget } from './target.js';

describe('evaluateMarkerOnTarget', () => {
  const linux = parseTarget('manylinux2014_x86_64-cp-311-cp311');
  const windows = parseTarget('win_amd64-cp-3.10.12-cp310');
  const mac = parseTarget('macosx_11_0_arm64-cp-312-cp312');

  it('evaluates markers the abbreviated target determines', () => {
    expect(
      evaluateMarkerOnTarget('sys_platform == "linux" and python_version >= "3.8"', linux),
    ).toBe(true);
    expect(evaluateMarkerOnTarget('platform_machine == "x86_64"', linux)).toBe(true);
    expect(evaluateMarkerOnTarget('os_name == "nt" and platform_machine == "AMD64"', windows)).toBe(
      true,
    );
    expect(evaluateMarkerOnTarget('python_full_version < "3.10.13"', windows)).toBe(true);
    expect(
      evaluateMarkerOnTarget('platform_system == "Darwin" and platform_machine == "arm64"', mac),
    ).toBe(true);
    expect(evaluateMarkerOnTarget('implementation_name == "pypy"', mac)).toBe(false);
    expect(evaluateMarkerOnTarget('extra == "socks"', linux, { extras: ['socks'] })).toBe(true);
    expect(evaluateMarkerOnTarget('extra == "socks"', linux)).toBe(false);
  });

  it('refuses to guess a value the target does not know, naming it', () => {
    const marker = 'platform_release >= "5.0" or sys_platform == "linux"';
    expect(() => evaluateMarkerOnTarget(marker, linux)).toThrow(MarkerNeedsUnknownValue);
    expect(() => evaluateMarkerOnTarget(marker, linux)).toThrow(
      /needs platform_release.*--complete-platform/,
    );
    expect(() => evaluateMarkerOnTarget('python_full_version >= "3.11.2"', linux)).toThrow(
      /dotted x\.y\.z/,
    );
    expect(
      unknownMarkerVariables(
        Marker.parse('python_version > "3" and platform_version == "x"'),
        linux,
      ),
    ).toEqual(['platform_version']);
  });

  it('uses every value of a complete platform', () => {
    const target = targetFromCompletePlatform(
      {
        marker_environment: {
          implementation_name: 'cpython',
          implementation_version: '3.11.7',
          os_name: 'posix',
          platform_machine: 'x86_64',
          platform_python_implementation: 'CPython',
          platform_release: '6.1.0-18-amd64',
          platform_system: 'Linux',
          platform_version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)',
          python_full_version: '3.11.7',
          python_version: '3.11',
          sys_platform: 'linux',
        },
        compatible_tags: ['cp311-cp311-manylinux_2_36_x86_64', 'py3-none-any'],
      },
      'debian.json',
    );
    expect(evaluateMarkerOnTarget('platform_release == "6.1.0-18-amd64"', target)).toBe(true);
    // Not a PEP 440 version, so packaging's `>=` does not hold (the lexical order would say yes).
    expect(evaluateMarkerOnTarget('platform_release >= "6"', target)).toBe(false);
    expect(evaluateMarkerOnTarget('"Debian" in platform_version', target)).toBe(true);
  });

  it('reports a bad marker as InvalidMarker', () => {
    expect(() => evaluateMarkerOnTarget('python_version >', linux)).toThrow(InvalidMarker);
  });
});

describe('evaluateMarkerOnTarget on an abbreviated Python version', () => {
  const linux311 = parseTarget('manylinux2014_x86_64-cp-311-cp311');

  it('answers python_full_version markers that hold for the whole minor series', () => {
    expect(evaluateMarkerOnTarget('python_full_version >= "3.9"', linux311)).toBe(true);
    expect(evaluateMarkerOnTarget('python_full_version < "3.11"', linux311)).toBe(false);
  });

  it('refuses one that depends on the patch release, naming the variable', () => {
    expect(() => evaluateMarkerOnTarget('python_full_version < "3.11.4"', linux311)).toThrow(
      /depends on the patch release through python_full_version.*--complete-platform/,
    );
  });

  it('takes a value the caller filled into the environment as known', () => {
    const known = {
      ...linux311,
      markerEnvironment: { ...linux311.markerEnvironment, platform_release: '6.1.0' },
    };
    expect(evaluateMarkerOnTarget('platform_release >= "6"', known)).toBe(true);
    expect(() => evaluateMarkerOnTarget('platform_release >= "6"', linux311)).toThrow(
      MarkerNeedsUnknownValue,
    );
  });
});
