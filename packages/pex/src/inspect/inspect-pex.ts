/** `pexkit inspect` as a library call: read a PEX (and the one to compare with), build the report. */
import { diffReports } from './diff.js';
import { readPexFacts } from './read-pex.js';
import { buildReport, type InspectReport } from './report.js';

export interface InspectPexOptions {
  /** An older PEX to compare with (`--against`). */
  against?: string;
}

/** Reads the PEX at `path` and reports what it holds (and how it differs from `against`). */
export async function inspectPex(
  path: string,
  options: InspectPexOptions = {},
): Promise<InspectReport> {
  const report = buildReport(await readPexFacts(path));
  if (options.against !== undefined) {
    const old = buildReport(await readPexFacts(options.against));
    report.diff = diffReports(report, old);
  }
  return report;
}
