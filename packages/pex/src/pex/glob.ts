/**
 * Minimal glob matching for include/exclude options, against `/`-separated relative paths:
 * `**` any number of path components, `*` anything but `/`, `?` one character but `/`.
 * A pattern without `/` matches a base name at any depth (as in .gitignore); a trailing `/`
 * matches directories only (callers test directories as `path/`). Pure.
 */
export function globToRegExp(pattern: string): RegExp {
  let p = pattern.startsWith('./') ? pattern.slice(2) : pattern;
  const dirOnly = p.endsWith('/');
  if (dirOnly) p = p.slice(0, -1);
  const anchored = p.includes('/');
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*' && p[i + 1] === '*') {
      if (p[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const head = anchored ? '^' : '^(?:.*/)?';
  return new RegExp(`${head}${out}${dirOnly ? '/' : '/?'}$`);
}
