import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface NetrcEntry {
  login: string;
  password: string;
}

export interface Netrc {
  machines: Map<string, NetrcEntry>;
  default?: NetrcEntry;
}

/** Parses a `.netrc` file (machine/default/login/password/account/macdef tokens, `#` comments). */
export function parseNetrc(text: string): Netrc {
  const tokens: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*macdef\b/.test(line)) {
      // A macro runs until the next empty line; it holds no credentials.
      while (i + 1 < lines.length && lines[i + 1].trim() !== '') i++;
      continue;
    }
    const withoutComment = line.trimStart().startsWith('#') ? '' : line;
    for (const match of withoutComment.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
      tokens.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]);
    }
  }
  const result: Netrc = { machines: new Map() };
  let current: { login: string; password: string } | undefined;
  let currentMachine: string | undefined;
  let isDefault = false;
  const flush = (): void => {
    if (current === undefined) return;
    if (isDefault) result.default ??= current;
    else if (currentMachine !== undefined && !result.machines.has(currentMachine)) {
      result.machines.set(currentMachine, current);
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === 'machine' || token === 'default') {
      flush();
      current = { login: '', password: '' };
      isDefault = token === 'default';
      currentMachine = isDefault ? undefined : tokens[++i]?.toLowerCase();
    } else if (
      current !== undefined &&
      (token === 'login' || token === 'password' || token === 'account')
    ) {
      const value = tokens[++i] ?? '';
      if (token === 'login') current.login = value;
      if (token === 'password') current.password = value;
    }
  }
  flush();
  return result;
}

/** Reads `$NETRC` or `~/.netrc`; a missing or unreadable file gives no entries. */
export function loadNetrc(env: NodeJS.ProcessEnv = process.env): Netrc {
  const path =
    env['NETRC'] !== undefined && env['NETRC'] !== ''
      ? env['NETRC']
      : join(env['HOME'] ?? homedir(), '.netrc');
  try {
    return parseNetrc(readFileSync(path, 'utf8'));
  } catch {
    return { machines: new Map() };
  }
}
