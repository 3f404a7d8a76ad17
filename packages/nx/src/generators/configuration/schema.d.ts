export interface ConfigurationGeneratorSchema {
  project: string;
  entryPoint?: string;
  consoleScript?: string;
  targets?: string;
  skipFormat?: boolean;
}
