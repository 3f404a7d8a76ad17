import { describe, expect, it } from 'vitest';
import { InvalidRequirement, Requirement } from './requirement.js';

describe('Requirement', () => {
  it('parses all parts', () => {
    const r = Requirement.parse('Foo.Bar [Z, a] (>=1.0,<2) ; extra == "Test_X"');
    expect(r.name).toBe('Foo.Bar');
    expect(r.extras).toEqual(['Z', 'a']);
    expect(r.specifier.toString()).toBe('<2,>=1.0');
    expect(r.url).toBeUndefined();
    expect(r.marker?.toString()).toBe('extra == "test-x"');
    expect(r.toString()).toBe('Foo.Bar[Z,a]<2,>=1.0; extra == "test-x"');
  });

  it.each([
    ['requests', 'requests'],
    ['requests[]', 'requests'],
    [
      'requests [security,socks,security] >= 2.8.1, == 2.8.*',
      'requests[security,socks]==2.8.*,>=2.8.1',
    ],
    ['name @ https://x/y.whl', 'name @ https://x/y.whl'],
    ['name@https://x/y.whl ; os_name=="nt"', 'name @ https://x/y.whl ; os_name == "nt"'],
    ['name @ https://x;os_name=="nt"', 'name @ https://x;os_name=="nt"'],
    ['name===anything-goes', 'name===anything-goes'],
    ['name ; python_version<"3.8"', 'name; python_version < "3.8"'],
  ])('%j prints as %j', (input, printed) => {
    expect(Requirement.parse(input).toString()).toBe(printed);
  });

  it('keeps a URL with a semicolon but no space as part of the URL', () => {
    expect(Requirement.parse('name @ https://x;os_name=="nt"').marker).toBeUndefined();
  });

  it.each([
    '',
    'name[a b]',
    'name (>=1.0',
    'name==1.0a1.*',
    'name>=1.0.*',
    'name>=1.0+local',
    'name~=1',
    'name @ ',
    '-name',
    'name>=1.0 and',
    'name>=1.0,,<2',
    'na me',
  ])('rejects %j with InvalidRequirement naming it', (text) => {
    expect(() => Requirement.parse(text)).toThrow(InvalidRequirement);
    expect(() => Requirement.parse(text)).toThrow(JSON.stringify(text));
  });
});
