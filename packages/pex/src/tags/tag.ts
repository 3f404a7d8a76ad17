import { PexkitError } from '../errors.js';

/** One PEP 425 compatibility tag triple, always lower case. */
export interface Tag {
  interpreter: string;
  abi: string;
  platform: string;
}

/** A tag string that is not `<interpreter>-<abi>-<platform>` with non-empty parts. */
export class InvalidTag extends PexkitError {
  override readonly name = 'InvalidTag';
  constructor(
    readonly tag: string,
    reason: string,
  ) {
    super(`Invalid compatibility tag ${JSON.stringify(tag)}: ${reason}`);
  }
}

const IDENTIFIER = /^[\p{XID_Start}_][\p{XID_Continue}]*$/u;

/** Python's `str.isidentifier()` (XID_Start/XID_Continue, underscore allowed first). */
export function isPythonIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}

/** Python's `str.lower()` (full Unicode lower-casing). */
function lower(text: string): string {
  return text.toLowerCase();
}

export function tagToString(tag: Tag): string {
  return `${tag.interpreter}-${tag.abi}-${tag.platform}`;
}

/** Builds a tag, lower-casing each part as `packaging.tags.Tag` does. */
export function makeTag(interpreter: string, abi: string, platform: string): Tag {
  return { interpreter: lower(interpreter), abi: lower(abi), platform: lower(platform) };
}

/**
 * Upper bound on the tags one compressed tag set may expand to (packaging has no default
 * bound; real wheels carry a handful). Guards against pathological input.
 */
export const MAX_EXPANDED_TAGS = 10_000;

/**
 * Parses a tag that may be a compressed tag set (`py2.py3-none-any`) into its tags,
 * like `packaging.tags.parse_tag`: interpreter-major order, duplicates removed.
 * Throws {@link InvalidTag} for a wrong number of parts, an empty part, or an
 * interpreter that is not a Python identifier.
 */
export function parseTag(text: string, options: { limit?: number } = {}): Tag[] {
  const limit = options.limit ?? MAX_EXPANDED_TAGS;
  const componentParts = text.split('-').map((component) => component.split('.'));
  let count = 1;
  for (const parts of componentParts) {
    if (parts.includes('')) {
      throw new InvalidTag(text, `empty component ${JSON.stringify(parts.join('.'))}`);
    }
    count *= parts.length;
  }
  if (count > limit) {
    throw new InvalidTag(text, `the compressed tag set expands to ${count} tags (limit ${limit})`);
  }
  if (componentParts.length !== 3) {
    throw new InvalidTag(text, 'expected exactly three components <interpreter>-<abi>-<platform>');
  }
  const [interpreters, abis, platforms] = componentParts as [string[], string[], string[]];
  for (const interpreter of interpreters) {
    if (!isPythonIdentifier(interpreter)) {
      throw new InvalidTag(text, `interpreter ${JSON.stringify(interpreter)} is not an identifier`);
    }
  }
  const seen = new Set<string>();
  const tags: Tag[] = [];
  for (const interpreter of interpreters) {
    for (const abi of abis) {
      for (const platform of platforms) {
        const tag = makeTag(interpreter, abi, platform);
        const key = tagToString(tag);
        if (!seen.has(key)) {
          seen.add(key);
          tags.push(tag);
        }
      }
    }
  }
  return tags;
}
