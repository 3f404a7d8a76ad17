import type { CliCommand } from './command.js';

/** A sub-command as `pexkit --help` lists it; its module is loaded only when it runs. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CliCommand>;
}

// Each sub-command lives in ./commands/<name>.ts; register it here (main.spec.ts checks that the
// summary matches the module's). Loading lazily keeps `pexkit build` from paying for the rest.
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'tags',
    summary: 'print the ordered wheel tags a target supports',
    load: async () => (await import('./commands/tags.js')).tagsCommand,
  },
  {
    name: 'marker',
    summary: 'evaluate a PEP 508 marker on a target',
    load: async () => (await import('./commands/marker.js')).markerCommand,
  },
  {
    name: 'download',
    summary:
      'fetch the wheels of a lock file (or wheel URLs) into the verified cache / a wheelhouse',
    load: async () => (await import('./commands/download.js')).downloadCommand,
  },
  {
    name: 'build',
    summary: 'build a PEX (zipapp, packed or loose) from a project and its lock',
    load: async () => (await import('./commands/build.js')).buildCommand,
  },
  {
    name: 'plan',
    summary: "show (and fetch) the wheels a project's PEX would hold for each target",
    load: async () => (await import('./commands/plan.js')).planCommand,
  },
  {
    name: 'inspect',
    summary:
      'show what a PEX holds and costs per target (wheels, sizes, why), as text, JSON or HTML',
    load: async () => (await import('./commands/inspect.js')).inspectCommand,
  },
  {
    name: 'smoke',
    summary: 'run a built PEX under every local interpreter it is for (cold PEX_ROOT)',
    load: async () => (await import('./commands/smoke.js')).smokeCommand,
  },
  {
    name: 'cache',
    summary: 'show what the build cache (or a PEX_ROOT) holds, and prune it',
    load: async () => (await import('./commands/cache.js')).cacheCommand,
  },
];
