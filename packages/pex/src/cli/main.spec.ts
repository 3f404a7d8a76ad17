import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PEXKIT_VERSION } from '../package-info.js';
import { COMMANDS } from './registry.js';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

describe('pexkit CLI', () => {
  it('prints its version', () => {
    expect(execFileSync(process.execPath, [cli, '--version'], { encoding: 'utf8' }).trim()).toBe(
      PEXKIT_VERSION,
    );
  });

  it('rejects an unknown command with exit code 2 and names it', () => {
    const result = spawnSync(process.execPath, [cli, 'frobnicate'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it('lists each command with the name and summary its own module gives', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect({ name: command.name, summary: command.summary }).toEqual({
        name: entry.name,
        summary: entry.summary,
      });
    }
  });
});
