/** What a wire ingest method provides: how to encode a chunk and how to send encoded chunks. */
import type pg from 'pg';
import type { CpuColumns } from '../tsbs-data.js';

export interface Part<E> {
  rows: number;
  data: E;
}

export interface IngestMethod<E = unknown> {
  /** scenario id in results, e.g. "wire-copy-csv" */
  id: string;
  label: string;
  /** rows per encoded part (= per statement for INSERT methods) */
  chunkRows: number;
  encode(chunk: CpuColumns): E;
  /** work before the clock starts, e.g. writing the parts to a file for psql; returns what send() gets */
  stage?(parts: Iterable<Part<E>>): Promise<Part<E>[]>;
  /** undoes stage() (temporary files) */
  unstage?(): void;
  send(c: pg.Client, parts: Iterable<Part<E>>, onRows: (n: number) => void): Promise<void>;
}
