/** Options of the `@pexkit/nx:smoke` executor. */
export interface SmokeExecutorSchema {
  buildTarget?: string;
  args?: string[];
  timeout?: number;
}
