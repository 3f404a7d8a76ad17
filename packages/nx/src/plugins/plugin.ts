import type { CreateDependencies, CreateNodesV2 } from '@nx/devkit';

export interface PexkitPluginOptions {
  buildTargetName?: string;
}

// Placeholder until project inference lands (issue 7): Python projects are not yet inferred.
export const createNodesV2: CreateNodesV2<PexkitPluginOptions> = ['**/pyproject.toml', () => []];

export const createDependencies: CreateDependencies<PexkitPluginOptions> = () => [];
