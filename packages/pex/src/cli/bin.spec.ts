import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('../..', import.meta.url));

describe('the pexkit bin', () => {
  it('is a file of the checked-in tree, so npm ci links it before the postinstall build', () => {
    const pkg = JSON.parse(readFileSync(`${pkgDir}/package.json`, 'utf8')) as {
      bin: Record<string, string>;
      files: string[];
    };
    const tracked = execFileSync('git', ['ls-files'], { cwd: pkgDir, encoding: 'utf8' }).split(
      '\n',
    );
    for (const [name, file] of Object.entries(pkg.bin)) {
      expect(tracked, `bin ${name}`).toContain(file);
      expect(statSync(`${pkgDir}/${file}`).mode & 0o111, `bin ${name} is executable`).not.toBe(0);
      expect(readFileSync(`${pkgDir}/${file}`, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
      expect(pkg.files, 'published').toContain(file.split('/')[0]);
    }
  });

  it('runs the CLI', () => {
    const out = execFileSync(process.execPath, [`${pkgDir}/bin/pexkit.js`, '--help'], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/^pexkit \d/);
    expect(out).toContain('Usage: pexkit <command>');
  });
});
