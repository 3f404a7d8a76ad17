import { describe, expect, it } from 'vitest';
import { CredentialStore } from './credentials.js';
import { retryAfterMs } from './http.js';
import { parseNetrc } from './netrc.js';
import { redactUrl, sha256FromFragment, stripCredentials } from './redact.js';
import { readIndexSettings } from './settings.js';

describe('readIndexSettings', () => {
  it('prefers explicit values, then UV_DEFAULT_INDEX > UV_INDEX_URL > PIP_INDEX_URL, else PyPI', () => {
    expect(readIndexSettings({}, {}).indexUrl).toBe('https://pypi.org/simple/');
    expect(
      readIndexSettings({}, { PIP_INDEX_URL: 'https://p/simple', UV_INDEX_URL: 'https://u/simple' })
        .indexUrl,
    ).toBe('https://u/simple');
    expect(
      readIndexSettings({}, { UV_DEFAULT_INDEX: 'https://d/', UV_INDEX_URL: 'https://u/' })
        .indexUrl,
    ).toBe('https://d/');
    expect(
      readIndexSettings({ indexUrl: 'https://x/' }, { PIP_INDEX_URL: 'https://p/' }).indexUrl,
    ).toBe('https://x/');
  });

  it('splits extra indexes and find-links, de-duplicated', () => {
    const s = readIndexSettings(
      {},
      {
        PIP_EXTRA_INDEX_URL: 'https://a/ https://b/',
        UV_EXTRA_INDEX_URL: 'https://b/',
        PIP_FIND_LINKS: '/w1 /w2',
        UV_FIND_LINKS: '/w0,/w1',
      },
    );
    expect(s.extraIndexUrls).toEqual(['https://b/', 'https://a/']);
    expect(s.findLinks).toEqual(['/w0', '/w1', '/w2']);
    expect(
      readIndexSettings(
        {},
        {
          UV_INDEX: 'internal=https://u:p@corp.example/simple/ https://x/s/',
          PIP_EXTRA_INDEX_URL: 'https://a/',
        },
      ).extraIndexUrls,
    ).toEqual(['https://u:p@corp.example/simple/', 'https://x/s/', 'https://a/']);
  });
});

describe('redactUrl and friends', () => {
  it('hides user info but keeps the rest', () => {
    expect(redactUrl('https://user:pa%40ss@host.example/simple/x/#sha256=ab')).toBe(
      'https://***@host.example/simple/x/#sha256=ab',
    );
    expect(redactUrl('https://token@host.example/')).toBe('https://***@host.example/');
    expect(redactUrl('https://host.example/a')).toBe('https://host.example/a');
    expect(redactUrl('not a url //u:p@x')).toBe('not a url //***@x');
    expect(stripCredentials('https://u:p@h/x#frag').href).toBe('https://h/x');
  });

  it('reads sha256 fragments only when well formed', () => {
    expect(sha256FromFragment(`https://h/x.whl#sha256=${'A'.repeat(64)}`)).toBe('a'.repeat(64));
    expect(sha256FromFragment('https://h/x.whl#md5=abc')).toBeUndefined();
    expect(sha256FromFragment('https://h/x.whl#sha256=short')).toBeUndefined();
  });
});

describe('netrc and the credential store', () => {
  it('parses machines, default, quoted values, comments and macdef blocks', () => {
    const n = parseNetrc(
      `# top\nmachine a.example login al password "p w"\nmacdef init\n  cd /tmp\n  login x password y\n\nmachine B.example\n  login bo\n  password pb\ndefault login anon password anonpw\n`,
    );
    expect(n.machines.get('a.example')).toEqual({ login: 'al', password: 'p w' });
    expect(n.machines.get('b.example')).toEqual({ login: 'bo', password: 'pb' });
    expect(n.default).toEqual({ login: 'anon', password: 'anonpw' });
    expect(n.machines.size).toBe(2);
  });

  it('URL user info > configured index URLs on the same host (longest path) > netrc', () => {
    const store = new CredentialStore({
      urls: ['https://one:1@idx.example/simple/', 'https://two:2@idx.example/private/simple/'],
      env: { PIP_EXTRA_INDEX_URL: 'https://envu:envp%21@other.example/simple/' },
      netrc: parseNetrc('machine net.example login n password np'),
    });
    expect(store.lookup(new URL('https://me:mine@idx.example/x'))).toEqual({
      username: 'me',
      password: 'mine',
    });
    expect(store.lookup(new URL('https://idx.example/private/simple/pkg/'))).toEqual({
      username: 'two',
      password: '2',
    });
    expect(store.lookup(new URL('https://idx.example/files/a.whl'))).toEqual({
      username: 'one',
      password: '1',
    });
    expect(store.lookup(new URL('https://other.example/f.whl'))).toEqual({
      username: 'envu',
      password: 'envp!',
    });
    expect(store.lookup(new URL('https://net.example/f.whl'))).toEqual({
      username: 'n',
      password: 'np',
    });
    expect(store.lookup(new URL('https://nobody.example/'))).toBeUndefined();
    expect(store.authorization(new URL('https://net.example/'))).toBe(
      `Basic ${Buffer.from('n:np').toString('base64')}`,
    );
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(
      retryAfterMs('Sun, 22 Nov 2026 04:00:10 GMT', Date.parse('Sun, 22 Nov 2026 04:00:00 GMT')),
    ).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
