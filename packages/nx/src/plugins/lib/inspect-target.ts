import type { TargetConfiguration } from '@nx/devkit';
import { joinWorkspacePath } from '../../utils/paths.js';

/** Where the build target writes the PEX: `[tool.pexkit] output`, else `dist/<root>/<name>.pex`. */
export function pexOutputPath(projectRoot: string, pythonName: string, output?: string): string {
  if (output !== undefined) return joinWorkspacePath(output);
  return joinWorkspacePath('dist', projectRoot === '.' ? '' : projectRoot, `${pythonName}.pex`);
}

/** `dist/app/app.pex` → `dist/app/app.inspect` (the reports' common stem). */
function reportStem(pex: string): string {
  return pex.endsWith('.pex') ? `${pex.slice(0, -'.pex'.length)}.inspect` : `${pex}.inspect`;
}

/** Quotes a workspace path for the shell when it needs it. */
function shellWord(text: string): string {
  return /^[\w./+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The inferred `inspect` target: `pexkit inspect` on the PEX the build target wrote, writing
 * `<name>.inspect.json` and `<name>.inspect.html` next to it (cached outputs). Its inputs are the
 * PEX the build produced (a zipapp file, or the files of a packed/loose directory), whose
 * PEX-INFO names the pexkit that built it; `nx inspect app --against=old.pex` adds the diff.
 */
export function inspectTarget(pexPath: string, buildTargetName: string): TargetConfiguration {
  const stem = reportStem(pexPath);
  const json = `${stem}.json`;
  const html = `${stem}.html`;
  const command = `pexkit inspect ${shellWord(pexPath)} --json-file ${shellWord(json)} --html ${shellWord(html)}`;
  return {
    command,
    cache: true,
    dependsOn: [buildTargetName],
    inputs: [
      { dependentTasksOutputFiles: '**/*.pex', transitive: false },
      { dependentTasksOutputFiles: '**/*.pex/**/*', transitive: false },
    ],
    outputs: [`{workspaceRoot}/${json}`, `{workspaceRoot}/${html}`],
    metadata: {
      technologies: ['python'],
      description:
        'Report what the PEX holds and costs per target (wheels, sizes, who pulled them in) as JSON and an HTML treemap',
      help: {
        command: 'npx pexkit inspect --help',
        example: { args: ['--against=dist/previous/app.pex'] },
      },
    },
  };
}
