/**
 * A URL safe to show or store: user name and password replaced by `***` (kept visible that some
 * were given), the `#sha256=` fragment kept. Strings that are not URLs are returned unchanged
 * except for anything looking like `scheme://user:pass@`.
 */
export function redactUrl(url: string | URL): string {
  const text = typeof url === 'string' ? url : url.href;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return text.replace(/(\/\/)[^/@\s]*@/g, '$1***@');
  }
  if (parsed.username === '' && parsed.password === '') return parsed.href;
  parsed.username = '***';
  parsed.password = '';
  return parsed.href;
}

/** The URL with user info and fragment removed: what is actually requested, and cache keys. */
export function stripCredentials(url: string | URL): URL {
  const parsed = new URL(typeof url === 'string' ? url : url.href);
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  return parsed;
}

/** The `#sha256=<hex>` (or `#sha256:<hex>`) fragment of an index link, lower-cased. */
export function sha256FromFragment(url: string): string | undefined {
  const hashIndex = url.indexOf('#');
  if (hashIndex < 0) return undefined;
  const params = new URLSearchParams(url.slice(hashIndex + 1));
  const value = params.get('sha256');
  if (value !== null && /^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase();
  return undefined;
}
