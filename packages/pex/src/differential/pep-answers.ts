/**
 * The TypeScript side of the differential suite: answers each case in the same JSON shape
 * as `src/testing/oracle.py` gives for packaging.
 */
import { PexkitError } from '../errors.js';
import {
  canonicalizeName,
  canonicalizeVersion,
  InvalidName,
  isNormalizedName,
} from '../names/canonicalize.js';
import { Specifier, SpecifierSet } from '../pep440/specifier.js';
import { Version } from '../pep440/version.js';
import { InvalidMarker, Marker, type MarkerEnvironment } from '../pep508/marker.js';
import { Requirement } from '../pep508/requirement.js';

export type PepCase =
  | { k: 'version'; s: string }
  | { k: 'compare'; a: string; b: string }
  | { k: 'specifier'; s: string }
  | { k: 'specset'; s: string }
  | { k: 'contains'; s: string; v: string; pre?: boolean }
  | { k: 'contains1'; s: string; v: string; pre?: boolean }
  | { k: 'filter'; s: string; vs: string[]; pre?: boolean }
  | { k: 'filter1'; s: string; vs: string[]; pre?: boolean }
  | {
      k: 'marker';
      s: string;
      env?: Partial<MarkerEnvironment>;
      extra?: string;
      extras?: string[];
      groups?: string[];
      partial?: boolean;
    }
  | { k: 'requirement'; s: string }
  | { k: 'name'; s: string };

export type PepResult = { ok: unknown } | { err: string } | { crash: string };

function versionInfo(v: Version): unknown {
  const p = v.parts;
  return {
    str: v.toString(),
    epoch: p.epoch.toString(),
    release: p.release.map(String),
    pre: p.pre ? [p.pre[0], p.pre[1].toString()] : null,
    post: p.post === undefined ? null : p.post.toString(),
    dev: p.dev === undefined ? null : p.dev.toString(),
    local: v.local ?? null,
    public: v.public,
    base: v.baseVersion,
    flags: [v.isPrerelease, v.isPostrelease, v.isDevrelease],
  };
}

function printOrValueError(f: () => string): unknown {
  try {
    return f();
  } catch (e) {
    if (e instanceof InvalidMarker) return { err: 'ValueError' };
    throw e;
  }
}

function answer(c: PepCase): unknown {
  switch (c.k) {
    case 'version':
      return versionInfo(Version.parse(c.s));
    case 'compare':
      return Math.sign(Version.parse(c.a).compare(Version.parse(c.b)));
    case 'specifier': {
      const s = Specifier.parse(c.s);
      return { str: s.toString(), op: s.operator, version: s.version, pre: s.prereleases ?? null };
    }
    case 'specset': {
      const s = SpecifierSet.parse(c.s);
      return { str: s.toString(), pre: s.prereleases ?? null, len: s.length };
    }
    case 'contains':
      return SpecifierSet.parse(c.s).contains(
        c.v,
        c.pre === undefined ? {} : { prereleases: c.pre },
      );
    case 'contains1':
      return Specifier.parse(c.s).contains(c.v, c.pre === undefined ? {} : { prereleases: c.pre });
    case 'filter1':
      return Specifier.parse(c.s).filter(c.vs, c.pre === undefined ? {} : { prereleases: c.pre });
    case 'filter':
      return SpecifierSet.parse(c.s).filter(
        c.vs,
        c.pre === undefined ? {} : { prereleases: c.pre },
      );
    case 'marker': {
      const m = Marker.parse(c.s);
      const out: Record<string, unknown> = { str: printOrValueError(() => m.toString()) };
      if (c.env) {
        try {
          out['value'] = m.evaluate(c.env, {
            extra: c.extra ?? '',
            ...(c.extras ? { extras: c.extras } : {}),
            ...(c.groups ? { dependencyGroups: c.groups } : {}),
          });
        } catch (e) {
          if (e instanceof PexkitError) out['value'] = { err: e.name };
          else throw e;
        }
      }
      return out;
    }
    case 'requirement': {
      const r = Requirement.parse(c.s);
      const text = printOrValueError(() => r.toString());
      let again: unknown = null;
      if (typeof text === 'string') {
        try {
          again = printOrValueError(() => Requirement.parse(text).toString());
        } catch (e) {
          if (!(e instanceof PexkitError)) throw e;
          again = { err: e.name };
        }
      }
      return {
        again,
        str: printOrValueError(() => r.toString()),
        name: r.name,
        extras: [...r.extras],
        specifier: r.specifier.toString(),
        url: r.url ?? null,
      };
    }
    case 'name': {
      let validated: string | null;
      try {
        validated = canonicalizeName(c.s, { validate: true });
      } catch (e) {
        if (!(e instanceof InvalidName)) throw e;
        validated = null;
      }
      return {
        canonical: canonicalizeName(c.s),
        validated,
        normalized: isNormalizedName(c.s),
        canonver: canonicalizeVersion(c.s),
      };
    }
  }
}

/** Answer one case; typed errors become `{err: name}`, anything else `{crash}`. */
export function answerCase(c: PepCase): PepResult {
  try {
    return { ok: answer(c) };
  } catch (e) {
    if (e instanceof PexkitError) return { err: e.name };
    return { crash: String(e instanceof Error ? e.stack : e) };
  }
}
