/** Result records shared by scenarios and reporters. */
export interface IngestResult {
  kind: 'ingest';
  /** scenario id, e.g. "wire-copy-csv" */
  scenario: string;
  /** target name, e.g. "strata-3dn", "postgres-15", "embedded-3dn" */
  target: string;
  rows: number;
  seconds: number;
  rowsPerSec: number;
  /** rows × 10 fields */
  metricsPerSec: number;
  /** peak RSS of the process doing the server work during the scenario (bytes), if measurable */
  peakRssBytes?: number;
  /** storage size / rows, if the target reports a size */
  bytesPerRow?: number;
  note?: string;
}

export interface QueryTypeResult {
  kind: 'query';
  scenario: string;
  target: string;
  type: string;
  runs: number;
  medianMs: number;
  p95Ms: number;
  /** rows in the table queried */
  tableRows: number;
}

export interface NoteResult {
  kind: 'note';
  scenario: string;
  target: string;
  text: string;
}

export type BenchResult = IngestResult | QueryTypeResult | NoteResult;

export function ingestResult(scenario: string, target: string, rows: number, ms: number, extra: Partial<IngestResult> = {}): IngestResult {
  const rowsPerSec = rows / (ms / 1000);
  return { kind: 'ingest', scenario, target, rows, seconds: ms / 1000, rowsPerSec, metricsPerSec: rowsPerSec * 10, ...extra };
}

export function medianP95(xs: number[]): { median: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)]!, p95: s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]! };
}
