/** Wheel `RECORD` files (a CSV of path, hash, size): parsing and writing. Pure functions. */

export interface RecordRow {
  path: string;
  /** `algo=urlsafe-base64-nopad`, or '' for RECORD itself. */
  hash: string;
  /** Size in bytes, or undefined when the column is empty. */
  size: number | undefined;
}

/** Parses RECORD text (RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF). */
export function parseRecord(text: string): RecordRow[] {
  const rows: RecordRow[] = [];
  for (const fields of parseCsv(text)) {
    if (fields.length === 1 && fields[0] === '') continue;
    const [path = '', hash = '', size = ''] = fields;
    if (size !== '' && !/^\d+$/.test(size)) throw new Error(`bad size '${size}' for '${path}'`);
    rows.push({ path, hash, size: size === '' ? undefined : Number(size) });
  }
  return rows;
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else field += c;
    i++;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** RECORD text for rows in the given order, LF line ends (as pip and pex write it). */
export function formatRecord(rows: RecordRow[]): string {
  return rows.map((r) => `${csvField(r.path)},${csvField(r.hash)},${r.size ?? ''}\n`).join('');
}

/** `sha256=<urlsafe base64 without padding>` of a sha256 digest. */
export function recordHash(digest: Buffer, algorithm = 'sha256'): string {
  return `${algorithm}=${digest.toString('base64url')}`;
}
