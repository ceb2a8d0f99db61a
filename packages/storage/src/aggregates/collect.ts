/**
 * Aggregates that must keep their input rows: array_agg, string_agg (with
 * ORDER BY / DISTINCT), the ordered-set aggregates (percentile_cont,
 * percentile_disc, mode), and the DISTINCT wrapper for every other aggregate.
 * Partial states are the row lists themselves, so they are splittable but their
 * size grows with the input (reported by stateBytes()).
 */
import { SqlError, SQLSTATE } from '../errors.js';
import type { SqlType } from '../types/sql-type.js';
import type { Interval, Value } from '../types/values.js';
import { getValue, vectorFromValues } from '../vector.js';
import type { Vector } from '../vector.js';
import { comparatorFor, intervalAdd, intervalMul, intervalSub, mapNeeded, plainToValue, valueKey, valueToPlain } from './common.js';
import type { AccumulatorOptions, Comparator, GroupedAccumulator, ResolvedAggregate } from './common.js';

/** Sort spec over the columns [from, from + comps.length) of a flattened row. */
interface SortSpec {
  from: number;
  comps: Comparator[];
  desc: boolean[];
  nullsFirst: boolean[];
}

function rowComparator(rows: Value[], stride: number, s: SortSpec): (a: number, b: number) => number {
  return (a, b) => {
    for (let k = 0; k < s.comps.length; k++) {
      const x = rows[a * stride + s.from + k]!;
      const y = rows[b * stride + s.from + k]!;
      let c: number;
      if (x === null || y === null) {
        if (x === y) continue;
        c = x === null ? (s.nullsFirst[k] ? -1 : 1) : s.nullsFirst[k] ? 1 : -1;
        return c;
      }
      c = s.comps[k]!(x, y);
      if (c !== 0) return s.desc[k] ? -c : c;
    }
    return 0;
  };
}

function tupleKey(rows: Value[], base: number, n: number): string | number | boolean | null {
  if (n === 1) return valueKey(rows[base]!);
  let k = '';
  for (let i = 0; i < n; i++) k += JSON.stringify(valueKey(rows[base + i]!)) + '\u0001';
  return k;
}

/** Per group: flattened rows (stride = inputs + sort keys), plus a key set under DISTINCT. */
export class CollectAcc implements GroupedAccumulator {
  lists: Value[][] = [];
  sets: Set<unknown>[] | null;
  n = 0;
  readonly nArgs: number;
  readonly stride: number;
  private readonly sort: SortSpec | null;
  /** Which argument's NULL drops the row (-1: none, as array_agg keeps NULLs). */
  private readonly nullSkipArg: number;

  constructor(readonly agg: ResolvedAggregate, readonly opts: AccumulatorOptions) {
    this.nArgs = agg.inputTypes.length;
    const keyTypes = opts.orderByTypes ?? [];
    this.stride = this.nArgs + keyTypes.length;
    this.sets = opts.distinct ? [] : null;
    this.nullSkipArg = agg.kind === 'array_agg' ? -1 : 0;
    const ordered = agg.withinGroupTypes !== undefined;
    if (keyTypes.length > 0) {
      const desc = keyTypes.map((_, i) => opts.orderByDesc?.[i] ?? false);
      this.sort = {
        from: this.nArgs,
        comps: keyTypes.map(comparatorFor),
        desc,
        nullsFirst: keyTypes.map((_, i) => opts.orderByNullsFirst?.[i] ?? desc[i]!),
      };
    } else if (ordered || opts.distinct) {
      // ordered-set aggregates sort by their argument; DISTINCT input arrives sorted in PostgreSQL
      const ts = agg.inputTypes;
      this.sort = { from: 0, comps: ts.map(comparatorFor), desc: ts.map(() => false), nullsFirst: ts.map(() => false) };
    } else this.sort = null;
  }

  private ensure(need: number): void {
    while (this.n < need) {
      this.lists.push([]);
      this.sets?.push(new Set());
      this.n++;
    }
  }

  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    const all0 = groupIds.length === 0;
    const stride = this.stride;
    for (let i = 0; i < length; i++) {
      const g = all0 ? 0 : groupIds[i]!;
      if (g < 0) continue;
      if (this.nullSkipArg >= 0 && getValue(args[this.nullSkipArg]!, i) === null) continue;
      if (g >= this.n) this.ensure(g + 1);
      const list = this.lists[g]!;
      const base = list.length;
      for (let k = 0; k < stride; k++) list.push(getValue(args[k]!, i));
      if (this.sets) {
        const key = tupleKey(list, base, this.nArgs);
        if (this.sets[g]!.has(key)) list.length = base;
        else this.sets[g]!.add(key);
      }
    }
  }

  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    const o = other as CollectAcc;
    this.ensure(mapNeeded(groupMap, o.n));
    for (let g = 0; g < o.n; g++) {
      const src = o.lists[g]!;
      if (src.length === 0) continue;
      const t = groupMap[g]!;
      const dst = this.lists[t]!;
      if (!this.sets) {
        for (let j = 0; j < src.length; j++) dst.push(src[j]!);
        continue;
      }
      for (let base = 0; base < src.length; base += this.stride) {
        const key = tupleKey(src, base, this.nArgs);
        if (this.sets[t]!.has(key)) continue;
        this.sets[t]!.add(key);
        for (let k = 0; k < this.stride; k++) dst.push(src[base + k]!);
      }
    }
  }

  serialize(): unknown {
    return { n: this.n, lists: this.lists.map((l) => l.map(valueToPlain)) };
  }
  load(d: { n: number; lists: unknown[][] }): this {
    this.ensure(d.n);
    for (let g = 0; g < d.n; g++) {
      const l = d.lists[g]!.map(plainToValue);
      this.lists[g] = l;
      if (this.sets) for (let b = 0; b < l.length; b += this.stride) this.sets[g]!.add(tupleKey(l, b, this.nArgs));
    }
    return this;
  }

  /** Row indexes of group g in final order. */
  private order(g: number): { rows: Value[]; idx: number[] } {
    const rows = g < this.n ? this.lists[g]! : [];
    const count = rows.length / this.stride;
    const idx = new Array<number>(count);
    for (let i = 0; i < count; i++) idx[i] = i;
    if (this.sort && count > 1) idx.sort(rowComparator(rows, this.stride, this.sort));
    return { rows, idx };
  }

  finalizeGroup(g: number): Value {
    const { rows, idx } = this.order(g);
    const s = this.stride;
    const kind = this.agg.kind;
    if (kind === 'percentile_cont' || kind === 'percentile_disc' || kind === 'percentile_cont_multi' || kind === 'percentile_disc_multi')
      return percentile(this.agg, this.opts.directArgs?.[0] ?? null, idx.map((i) => rows[i * s]!));
    if (idx.length === 0) return null;
    switch (kind) {
      case 'array_agg':
        return idx.map((i) => rows[i * s]!);
      case 'string_agg': {
        let out = rows[idx[0]! * s] as string;
        for (let j = 1; j < idx.length; j++) {
          const d = rows[idx[j]! * s + 1];
          out += (d === null ? '' : (d as string)) + (rows[idx[j]! * s] as string);
        }
        return out;
      }
      case 'mode':
        return mode(idx.map((i) => rows[i * s]!), comparatorFor(this.agg.inputTypes[0]!));
      default:
        throw new SqlError(SQLSTATE.internalError, `collect accumulator cannot finish ${kind}`);
    }
  }
  finalize(groupCount: number): Vector {
    const out: Value[] = new Array(groupCount);
    for (let g = 0; g < groupCount; g++) out[g] = this.finalizeGroup(g);
    return vectorFromValues(this.agg.returnType, out);
  }
  resetGroup(g: number): void {
    if (g >= this.n) return;
    this.lists[g] = [];
    this.sets?.[g]!.clear();
  }
  stateBytes(): number {
    let cells = 0;
    for (const l of this.lists) cells += l.length;
    return cells * 16 + this.n * 32;
  }
}

function mode(sorted: Value[], cmp: Comparator): Value {
  let best: Value = null;
  let bestFreq = 0;
  let run = 0;
  for (let i = 0; i < sorted.length; i++) {
    run = i > 0 && cmp(sorted[i]!, sorted[i - 1]!) === 0 ? run + 1 : 1;
    // strictly greater: among equally frequent values the first (smallest) wins
    if (run > bestFreq) {
      bestFreq = run;
      best = sorted[i - run + 1]!;
    }
  }
  return best;
}

function checkFraction(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new SqlError(SQLSTATE.numericValueOutOfRange, `percentile value ${p} is not between 0 and 1`);
}

function percentileOne(kind: 'cont' | 'disc', isInterval: boolean, p: number, sorted: Value[]): Value {
  const n = sorted.length;
  if (kind === 'disc') {
    const rownum = Math.ceil(p * n);
    return sorted[rownum > 1 ? rownum - 1 : 0]!;
  }
  const pos = p * (n - 1);
  const first = Math.floor(pos);
  const second = Math.ceil(pos);
  const lo = sorted[first]!;
  if (first === second) return lo;
  const hi = sorted[second]!;
  const frac = pos - first;
  if (isInterval) return intervalAdd(intervalMul(intervalSub(hi as Interval, lo as Interval), frac), lo as Interval);
  return (lo as number) + ((hi as number) - (lo as number)) * frac;
}

/** percentile_cont/disc, single fraction or array of fractions (NULL fractions give NULL elements). */
function percentile(agg: ResolvedAggregate, fraction: Value, sorted: Value[]): Value {
  const kind = agg.kind.startsWith('percentile_cont') ? 'cont' : 'disc';
  const isInterval = agg.inputTypes[0]!.id === 'interval';
  if (fraction === null) return null;
  if (Array.isArray(fraction)) {
    for (const p of fraction) if (p !== null) checkFraction(p as number);
    if (sorted.length === 0) return null;
    return fraction.map((p) => (p === null ? null : percentileOne(kind, isInterval, p as number, sorted)));
  }
  checkFraction(fraction as number);
  if (sorted.length === 0) return null;
  return percentileOne(kind, isInterval, fraction as number, sorted);
}

// ---------------------------------------------------------------- DISTINCT for the other aggregates

/**
 * agg(DISTINCT …) for aggregates that do not collect rows anyway: keeps the
 * distinct argument tuples per group and, at finalize, feeds them in ascending
 * order (as PostgreSQL's sort-based DISTINCT does, which matters for float
 * sums) into a fresh plain accumulator.
 */
export class DistinctAcc implements GroupedAccumulator {
  readonly inner: CollectAcc;
  constructor(readonly agg: ResolvedAggregate, private readonly makePlain: () => GroupedAccumulator, readonly strict: boolean) {
    // reuse the collector's distinct row sets; it sorts by the arguments
    this.inner = new CollectAcc({ ...agg, kind: 'array_agg' }, { distinct: true });
  }
  update(groupIds: Int32Array, args: readonly Vector[], length: number): void {
    if (!this.strict || args.length === 0) {
      this.inner.update(groupIds, args, length);
      return;
    }
    // strict aggregates ignore rows with a NULL argument: mask them out first
    let masked: Int32Array | null = null;
    for (let i = 0; i < length; i++) {
      for (const a of args) {
        if (getValue(a, i) === null) {
          if (!masked) {
            masked = new Int32Array(length);
            if (groupIds.length !== 0) masked.set(groupIds.subarray(0, length));
          }
          masked[i] = -1;
          break;
        }
      }
    }
    this.inner.update(masked ?? groupIds, args, length);
  }
  combine(other: GroupedAccumulator, groupMap: Int32Array): void {
    this.inner.combine((other as DistinctAcc).inner, groupMap);
  }
  serialize(): unknown {
    return this.inner.serialize();
  }
  load(d: { n: number; lists: unknown[][] }): this {
    this.inner.load(d);
    return this;
  }
  /** Replays the distinct tuples of groups [from, to) into a new plain accumulator. */
  private replay(from: number, to: number): GroupedAccumulator {
    const plain = this.makePlain();
    const types = this.agg.inputTypes;
    const gids: number[] = [];
    const cols: Value[][] = types.map(() => []);
    const s = this.inner.stride;
    for (let g = from; g < to && g < this.inner.n; g++) {
      const rows = this.inner.lists[g]!;
      const count = rows.length / s;
      const idx = Array.from({ length: count }, (_, i) => i);
      const comps = types.map(comparatorFor);
      idx.sort(rowComparator(rows, s, { from: 0, comps, desc: types.map(() => false), nullsFirst: types.map(() => false) }));
      for (const i of idx) {
        gids.push(g - from);
        for (let k = 0; k < types.length; k++) cols[k]!.push(rows[i * s + k]!);
      }
    }
    const vecs: Vector[] = types.map((t: SqlType, k) => vectorFromValues(t, cols[k]!));
    if (gids.length > 0) plain.update(Int32Array.from(gids), vecs, gids.length);
    return plain;
  }
  finalize(groupCount: number): Vector {
    return this.replay(0, groupCount).finalize(groupCount);
  }
  finalizeGroup(g: number): Value {
    return this.replay(g, g + 1).finalizeGroup(0);
  }
  resetGroup(g: number): void {
    this.inner.resetGroup(g);
  }
  stateBytes(): number {
    return this.inner.stateBytes();
  }
}
