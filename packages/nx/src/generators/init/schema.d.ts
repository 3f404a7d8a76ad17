export interface InitGeneratorSchema {
  buildTargetName?: string;
  inferImportDependencies?: boolean;
  skipFormat?: boolean;
  keepExistingVersions?: boolean;
  updatePackageScripts?: boolean;
}
