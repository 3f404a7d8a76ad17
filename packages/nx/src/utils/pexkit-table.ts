import { readFileSync } from 'node:fs';
import type { PexExecutorSchema } from '../executors/pex/schema.js';

/** `[tool.pexkit]` keys that are not build options (read by @pexkit/pex itself). */
const NON_BUILD_KEYS = new Set(['source-roots', 'smoke']);

interface SchemaProperty {
  type?: 'string' | 'boolean' | 'array';
  enum?: string[];
}

/** The executor's schema.json (shipped in the package beside dist/ as src/**\/schema.json). */
export const PEX_SCHEMA_PROPERTIES: Record<string, SchemaProperty> = (
  JSON.parse(
    readFileSync(new URL('../../src/executors/pex/schema.json', import.meta.url), 'utf8'),
  ) as {
    properties: Record<string, SchemaProperty>;
  }
).properties;

/** A `[tool.pexkit]` value of the wrong type, or an unknown key. */
export class PexkitTableError extends Error {
  override readonly name = 'PexkitTableError';
}

function camel(key: string): string {
  return key.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Converts a `[tool.pexkit]` table (kebab-case keys, as in `pexkit build` flags) to executor
 * options, checking each value against the executor's schema. `inherit-path = false` (a TOML
 * boolean) is accepted for `"false"`.
 */
export function pexkitTableToOptions(
  table: Record<string, unknown>,
  where: string,
): Partial<PexExecutorSchema> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(table)) {
    if (NON_BUILD_KEYS.has(key)) continue;
    const name = camel(key);
    const prop = PEX_SCHEMA_PROPERTIES[name];
    if (prop === undefined) {
      const known = Object.keys(PEX_SCHEMA_PROPERTIES).map((k) =>
        k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
      );
      throw new PexkitTableError(
        `${where}: unknown key tool.pexkit.${key} (known: ${[...known, ...NON_BUILD_KEYS].join(', ')})`,
      );
    }
    let value = raw;
    if (name === 'inheritPath' && typeof value === 'boolean') value = String(value);
    if (name === 'targets' && typeof value === 'string') value = [value];
    const ok =
      prop.type === 'array'
        ? Array.isArray(value) && value.every((v) => typeof v === 'string')
        : typeof value === prop.type &&
          (prop.enum === undefined || prop.enum.includes(value as string));
    if (!ok) {
      const expected =
        prop.enum !== undefined
          ? `one of ${prop.enum.join(', ')}`
          : prop.type === 'array'
            ? 'an array of strings'
            : `a ${prop.type}`;
      throw new PexkitTableError(
        `${where}: tool.pexkit.${key} must be ${expected}, got ${JSON.stringify(raw)}`,
      );
    }
    out[name] = value;
  }
  return out as Partial<PexExecutorSchema>;
}
