/**
 * The table of running backends, shared between the main thread and the
 * cancel relay thread (cancel-relay.ts): one slot of Int32 cells per backend
 * holding its pid, its secret key and its cancel flag.
 */
/** Int32 cells per backend slot in the shared table. */
export const SLOT_CELLS = 4;
export const PID_CELL = 0;
export const SECRET_CELL = 1;
export const CANCEL_CELL = 2;

/**
 * The shared table of running backends: (pid, secret, cancel flag) per slot.
 * Only the main thread writes pid and secret; the cancel relay thread only sets flags.
 */
export class BackendTable {
  readonly cells: Int32Array;
  private readonly freeSlots: number[] = [];

  constructor(readonly slots: number) {
    this.cells = new Int32Array(new SharedArrayBuffer(slots * SLOT_CELLS * 4));
    for (let s = slots - 1; s >= 0; s--) this.freeSlots.push(s);
  }

  /** Claim a slot for a backend (at BackendKeyData time); -1 when the table is full. */
  register(pid: number, secret: number): number {
    const slot = this.freeSlots.pop();
    if (slot === undefined) return -1;
    const base = slot * SLOT_CELLS;
    Atomics.store(this.cells, base + CANCEL_CELL, 0);
    Atomics.store(this.cells, base + SECRET_CELL, secret);
    // pid last: the cancel relay matches on it, so the slot is complete once it is visible
    Atomics.store(this.cells, base + PID_CELL, pid);
    return slot;
  }

  release(slot: number): void {
    const base = slot * SLOT_CELLS;
    Atomics.store(this.cells, base + PID_CELL, 0);
    Atomics.store(this.cells, base + CANCEL_CELL, 0);
    this.freeSlots.push(slot);
  }

  /** A one-cell view of the slot's cancel flag (what EvalContext.cancelFlag holds). */
  cancelFlag(slot: number): Int32Array {
    return this.cells.subarray(slot * SLOT_CELLS + CANCEL_CELL, slot * SLOT_CELLS + CANCEL_CELL + 1);
  }

  /**
   * Set the flag of the backend with this pid and secret; false when none
   * matches. (cancelRelayMain has its own copy: it cannot import this class.)
   */
  cancel(pid: number, secret: number): boolean {
    if (pid === 0) return false;
    const cells = this.cells;
    for (let base = 0; base < cells.length; base += SLOT_CELLS) {
      if (Atomics.load(cells, base + PID_CELL) === pid && Atomics.load(cells, base + SECRET_CELL) === secret) {
        Atomics.store(cells, base + CANCEL_CELL, 1);
        return true;
      }
    }
    return false;
  }
}
