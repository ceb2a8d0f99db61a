/**
 * Column buffers a session reuses from one bulk-insert batch to the next, and
 * from one db.insert call to the next: storage copies every batch into its own
 * layout before the next batch is converted (Txn.insertSelected gathers, and
 * insert() copies vectors it does not own), so converted columns need not be
 * fresh. A load in many parts then does not allocate a set of typed arrays per
 * part; that external-memory churn is what drives V8's full GCs during a load.
 */

/** Batches longer than this get fresh arrays, so a session never keeps more than a few MiB per column. */
export const SCRATCH_MAX_ROWS = 262_144;

export class BulkScratch {
  private readonly f64: (Float64Array | undefined)[] = [];
  private readonly i32: (Int32Array | undefined)[] = [];
  private readonly nullMaps: (Uint8Array | undefined)[] = [];
  /** NULL maps handed out since the last reset that may hold marks. */
  private readonly dirty: Uint8Array[] = [];

  /** `n` doubles for column slot `slot`; contents unspecified (the caller writes every row it reads). */
  float64(slot: number, n: number): Float64Array {
    if (n > SCRATCH_MAX_ROWS) return new Float64Array(n);
    let b = this.f64[slot];
    if (b === undefined || b.length < n) this.f64[slot] = b = new Float64Array(grownSize(b?.length ?? 0, n));
    return b.subarray(0, n);
  }

  int32(slot: number, n: number): Int32Array {
    if (n > SCRATCH_MAX_ROWS) return new Int32Array(n);
    let b = this.i32[slot];
    if (b === undefined || b.length < n) this.i32[slot] = b = new Int32Array(grownSize(b?.length ?? 0, n));
    return b.subarray(0, n);
  }

  /** An all-zero NULL map of `n` bytes; the caller reports it with markDirty() once it writes a mark. */
  nullMap(slot: number, n: number): Uint8Array {
    if (n > SCRATCH_MAX_ROWS) return new Uint8Array(n);
    let b = this.nullMaps[slot];
    if (b === undefined || b.length < n) this.nullMaps[slot] = b = new Uint8Array(grownSize(b?.length ?? 0, n));
    return b.subarray(0, n);
  }

  markDirty(nulls: Uint8Array): void {
    this.dirty.push(nulls);
  }

  /** Clears the NULL marks of the previous batch (call before converting the next one). */
  reset(): void {
    for (const d of this.dirty) d.fill(0);
    this.dirty.length = 0;
  }
}

/** At least `n`, doubling from `have`, capped at SCRATCH_MAX_ROWS (n never exceeds it here). */
function grownSize(have: number, n: number): number {
  return Math.min(SCRATCH_MAX_ROWS, Math.max(n, have * 2, 1024));
}
