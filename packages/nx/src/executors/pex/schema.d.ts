/** Options of the `@pexkit/nx:pex` executor, as written in project.json / nx.json / [tool.pexkit]. */
export interface PexExecutorSchema {
  lock?: string;
  targets?: string[];
  python?: string[];
  entryPoint?: string;
  consoleScript?: string;
  interpreterConstraints?: string[];
  pythonShebang?: string;
  layout?: 'zipapp' | 'packed' | 'loose';
  output?: string;
  indexUrl?: string;
  extraIndexUrls?: string[];
  findLinks?: string[];
  offline?: boolean;
  compress?: boolean;
  compile?: boolean;
  inheritPath?: 'false' | 'prefer' | 'fallback';
  venv?: boolean;
  cacheDir?: string;
  extras?: string[];
  groups?: string[];
  includeTests?: boolean;
  excludes?: string[];
  allowUndeclaredImports?: boolean;
}
