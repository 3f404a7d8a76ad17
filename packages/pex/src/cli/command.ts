/** One `pexkit <name>` sub-command. */
export interface CliCommand {
  name: string;
  /** One line shown by `pexkit --help`. */
  summary: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}
