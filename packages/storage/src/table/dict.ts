/**
 * A chunk's dictionary for one text column. It only ever grows, so a code handed
 * out once stays valid for every snapshot, and DictVectors can carry the live
 * `values` array itself (entries below any code they hold never change).
 */
import { makeData, Utf8, Vector, type Data } from 'apache-arrow';

const encoder = new TextEncoder();

export class StringDict {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  private strBytes = 0;
  // Arrow's dictionary is kept as one Utf8 Data per seal, each holding only the
  // strings added since the previous one, so sealing never re-encodes the whole dictionary.
  private readonly arrowParts: Data<Utf8>[] = [];
  private arrowLen = 0;
  private arrowVector: Vector<Utf8> | null = null;
  // Per-source-dictionary code translation, so a DictVector input is interned once per distinct code.
  private remaps = new WeakMap<readonly string[], Int32Array>();

  private snap: readonly string[] | null = null;

  get size(): number {
    return this.values.length;
  }

  /**
   * The dictionary as handed to scans: an array that never changes after it is
   * handed out (a new one once the dictionary has grown), because kernels cache
   * per-dictionary results (ranks, hashes, group remaps) keyed by the array.
   */
  snapshot(): readonly string[] {
    if (this.snap === null || this.snap.length !== this.values.length) this.snap = Object.freeze(this.values.slice());
    return this.snap;
  }

  intern(s: string): number {
    let c = this.index.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(s);
      this.index.set(s, c);
      this.strBytes += s.length;
    }
    return c;
  }

  lookup(s: string): number | undefined {
    return this.index.get(s);
  }

  /** A translation table from codes of `src` to codes of this dictionary (-1 = not yet interned). */
  remapFrom(src: readonly string[]): Int32Array {
    let m = this.remaps.get(src);
    if (m === undefined || m.length < src.length) {
      const next = new Int32Array(Math.max(src.length, 16)).fill(-1);
      if (m) next.set(m);
      m = next;
      this.remaps.set(src, m);
    }
    return m;
  }

  /** The dictionary as an Arrow Utf8 vector covering every code handed out so far. */
  arrow(): Vector<Utf8> {
    if (this.arrowVector === null || this.arrowLen < this.values.length) {
      if (this.arrowLen < this.values.length || this.arrowParts.length === 0) {
        this.arrowParts.push(utf8Data(this.values, this.arrowLen, this.values.length));
        this.arrowLen = this.values.length;
      }
      this.arrowVector = new Vector(this.arrowParts.slice());
    }
    return this.arrowVector;
  }

  bytes(): number {
    // JS strings (2 bytes/char upper bound is rare for tags; count 1) + Map entry + array slot.
    return this.strBytes + this.values.length * 64;
  }
}

export function utf8Data(strings: readonly string[], from: number, to: number): Data<Utf8> {
  const n = to - from;
  const offsets = new Int32Array(n + 1);
  let cap = 0;
  for (let i = from; i < to; i++) cap += strings[i]!.length * 3;
  let bytes = new Uint8Array(Math.max(cap, 1));
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const s = strings[from + i]!;
    pos += encoder.encodeInto(s, bytes.subarray(pos)).written;
    offsets[i + 1] = pos;
  }
  if (pos < bytes.length / 2) bytes = bytes.slice(0, pos);
  return makeData({ type: new Utf8(), length: n, valueOffsets: offsets, data: bytes });
}
