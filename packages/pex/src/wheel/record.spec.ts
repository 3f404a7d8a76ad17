import { describe, expect, it } from 'vitest';
import { formatEntryPoints, parseCoreMetadata, parseEntryPoints } from './metadata.js';
import { formatRecord, parseRecord } from './record.js';

describe('RECORD', () => {
  it('parses quoted CSV fields and CRLF, and round-trips', () => {
    const text =
      'a.py,sha256=abc,12\r\n"odd, name.py",sha256=def,3\n"say ""hi"".txt",,\npkg-1.0.dist-info/RECORD,,\n';
    const rows = parseRecord(text);
    expect(rows).toEqual([
      { path: 'a.py', hash: 'sha256=abc', size: 12 },
      { path: 'odd, name.py', hash: 'sha256=def', size: 3 },
      { path: 'say "hi".txt', hash: '', size: undefined },
      { path: 'pkg-1.0.dist-info/RECORD', hash: '', size: undefined },
    ]);
    expect(parseRecord(formatRecord(rows))).toEqual(rows);
    expect(() => parseRecord('a.py,sha256=x,ten\n')).toThrow(/bad size 'ten'/);
    expect(() => parseRecord('"open,\n')).toThrow(/unterminated/);
  });
});

describe('METADATA and entry points', () => {
  it('reads headers up to the body, with repeated and folded fields', () => {
    const meta = parseCoreMetadata(
      'Metadata-Version: 2.1\nName: Foo.Bar\nVersion: 1.0\nRequires-Dist: a\nRequires-Dist: b; extra == "x"\nLicense: MIT\n  continued\n\nRequires-Dist: not-a-header\n',
    );
    expect(meta).toEqual({
      name: 'Foo.Bar',
      version: '1.0',
      requiresPython: undefined,
      requiresDist: ['a', 'b; extra == "x"'],
    });
    expect(() => parseCoreMetadata('Name: x\n')).toThrow(/Version/);
  });

  it('parses and formats entry_points.txt', () => {
    const eps = parseEntryPoints(
      '# c\n[console_scripts]\nflask = flask.cli:main\n\n[x.y]\n a = b:c [extra]\n',
    );
    expect(eps).toEqual({
      console_scripts: { flask: 'flask.cli:main' },
      'x.y': { a: 'b:c [extra]' },
    });
    expect(formatEntryPoints(eps)).toBe(
      '[console_scripts]\nflask = flask.cli:main\n\n[x.y]\na = b:c [extra]\n',
    );
  });
});
