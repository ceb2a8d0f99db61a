/**
 * Evaluation of one window call over the sorted, partitioned input. Ranking
 * functions read only the partition/peer layout; value functions gather by
 * computed row indexes; aggregates pick the cheapest of three strategies:
 * once per partition, incremental for frames anchored at the partition start
 * (one accumulator group per partition, finalizeGroup after each frame end
 * advance), or a general O(n·w) expansion of (row, frame member) pairs fed to
 * a fresh accumulator in bounded chunks.
 */
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { Batch, Vector } from '../../../storage/src/vector.js';
import { concatVectors, getValue, sliceVector, takeVector, vectorFromValues } from '../../../storage/src/vector.js';
import type { CompiledExpr, EvalContext, ExprNode } from '../../../storage/src/expr/expr.js';
import { SqlError } from '../../../storage/src/errors.js';
import { createAccumulator, type ResolvedAggregate } from './deps.js';
import { takeOrFallback, takeOrNull } from './batch.js';
import { computeFrameBounds, frameSegments, isWholePartition, type FrameSpec, type PartitionLayout, type RangeKey } from './window-frame.js';

export interface WindowCallSpec {
  kind: 'row_number' | 'rank' | 'dense_rank' | 'percent_rank' | 'cume_dist' | 'ntile' | 'lag' | 'lead' | 'first_value' | 'last_value' | 'nth_value' | 'aggregate';
  /** lag(x, offset, default), ntile(n), nth_value(x, n); for 'aggregate' the aggregate's args. Over the input row. */
  args: ExprNode[];
  agg?: ResolvedAggregate;
  aggOptions?: { distinct: boolean };
  /** FILTER (WHERE …) of an aggregate. */
  filter?: ExprNode;
  /** Result type; lag/lead defaults are already cast to it by the planner. */
  type: SqlType;
  frame: FrameSpec;
}

export interface WindowInput {
  batch: Batch;
  layout: PartitionLayout;
  rangeKey: RangeKey | null;
  hasOrderBy: boolean;
  ctx: EvalContext;
}

/** Pair expansion limit per accumulator chunk (memory bound of the general path). */
const PAIR_CHUNK = 1 << 20;

function numbers(type: SqlType, values: Float64Array): Vector {
  return { tag: 'number', type, length: values.length, values, nulls: null };
}

export function evaluateWindowCall(call: WindowCallSpec, args: readonly CompiledExpr[], filter: CompiledExpr | null, input: WindowInput): Vector {
  const { layout, batch, ctx } = input;
  const { n, partOf, partStarts, peerOf, peerStarts } = layout;
  const argv = args.map((f) => f(batch, ctx));
  const out = new Float64Array(n);

  switch (call.kind) {
    case 'row_number':
      for (let i = 0; i < n; i++) out[i] = i - partStarts[partOf[i]!]! + 1;
      return numbers(call.type, out);
    case 'rank':
      for (let i = 0; i < n; i++) out[i] = peerStarts[peerOf[i]!]! - partStarts[partOf[i]!]! + 1;
      return numbers(call.type, out);
    case 'dense_rank':
      for (let i = 0; i < n; i++) out[i] = peerOf[i]! - peerOf[partStarts[partOf[i]!]!]! + 1;
      return numbers(call.type, out);
    case 'percent_rank':
      for (let i = 0; i < n; i++) {
        const p = partOf[i]!, ps = partStarts[p]!, N = partStarts[p + 1]! - ps;
        out[i] = N > 1 ? (peerStarts[peerOf[i]!]! - ps) / (N - 1) : 0;
      }
      return numbers(call.type, out);
    case 'cume_dist':
      for (let i = 0; i < n; i++) {
        const p = partOf[i]!, ps = partStarts[p]!;
        out[i] = (peerStarts[peerOf[i]! + 1]! - ps) / (partStarts[p + 1]! - ps);
      }
      return numbers(call.type, out);
    case 'ntile':
      return ntile(call.type, argv[0]!, layout);
    case 'lag':
    case 'lead':
      return lagLead(call, argv, layout);
    case 'first_value':
    case 'last_value':
    case 'nth_value':
      return frameValue(call, argv, input);
    case 'aggregate':
      return aggregate(call, argv, filter ? filter(batch, ctx) : null, input);
  }
}

function ntile(type: SqlType, nv: Vector, layout: PartitionLayout): Vector {
  const { partStarts } = layout;
  const P = partStarts.length - 1;
  const out = new Float64Array(layout.n);
  let nulls: Uint8Array | null = null;
  for (let p = 0; p < P; p++) {
    const ps = partStarts[p]!, pe = partStarts[p + 1]!;
    // PostgreSQL reads the bucket count at the partition's first row
    const nb = getValue(nv, ps) as number | null;
    if (nb === null) {
      nulls ??= new Uint8Array(layout.n);
      nulls.fill(1, ps, pe);
      continue;
    }
    if (nb <= 0) throw new SqlError('22014', 'argument of ntile must be greater than zero');
    // window_ntile: the first (total % nb) buckets get one extra row
    const total = pe - ps;
    let boundary = Math.floor(total / nb), remainder = 0;
    if (boundary <= 0) boundary = 1;
    else { remainder = total % nb; if (remainder !== 0) boundary++; }
    let bucket = 1, inBucket = 0;
    for (let i = ps; i < pe; i++) {
      inBucket++;
      if (boundary < inBucket) {
        if (remainder !== 0 && bucket === remainder) { remainder = 0; boundary--; }
        bucket++;
        inBucket = 1;
      }
      out[i] = bucket;
    }
  }
  return { tag: 'number', type, length: layout.n, values: out, nulls };
}

function lagLead(call: WindowCallSpec, argv: Vector[], layout: PartitionLayout): Vector {
  const { n, partOf, partStarts } = layout;
  const x = argv[0]!, offv = argv[1], defv = argv[2];
  const sign = call.kind === 'lag' ? -1 : 1;
  const pick = new Int32Array(n);
  let nullOffset: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    let off = 1;
    if (offv) {
      const o = getValue(offv, i);
      if (o === null) { (nullOffset ??= new Uint8Array(n))[i] = 1; pick[i] = -1; continue; }
      off = o as number;
    }
    const p = partOf[i]!;
    const t = i + sign * off;
    pick[i] = t >= partStarts[p]! && t < partStarts[p + 1]! ? t : -1;
  }
  if (!defv && !nullOffset) return takeOrNull(x, pick);
  if (defv && !nullOffset) return takeOrFallback(call.type, x, pick, defv);
  const vals = new Array<Value>(n);
  for (let i = 0; i < n; i++) {
    const j = pick[i]!;
    vals[i] = j >= 0 ? getValue(x, j) : nullOffset?.[i] === 1 || !defv ? null : getValue(defv, i);
  }
  return vectorFromValues(call.type, vals);
}

function frameValue(call: WindowCallSpec, argv: Vector[], input: WindowInput): Vector {
  const { layout } = input;
  const { start, end } = computeFrameBounds(layout, call.frame, input.rangeKey);
  const seg = new Int32Array(6);
  const pick = new Int32Array(layout.n);
  const nv = argv[1];
  for (let i = 0; i < layout.n; i++) {
    const k = frameSegments(layout, call.frame.exclude, start[i]!, end[i]!, i, seg);
    if (call.kind === 'first_value') pick[i] = k > 0 ? seg[0]! : -1;
    else if (call.kind === 'last_value') pick[i] = k > 0 ? seg[2 * k - 1]! - 1 : -1;
    else {
      const nth = getValue(nv!, i) as number | null;
      if (nth === null) { pick[i] = -1; continue; }
      if (nth <= 0) throw new SqlError('22016', 'argument of nth_value must be greater than zero');
      let left = nth - 1, found = -1;
      for (let s = 0; s < k; s++) {
        const len = seg[2 * s + 1]! - seg[2 * s]!;
        if (left < len) { found = seg[2 * s]! + left; break; }
        left -= len;
      }
      pick[i] = found;
    }
  }
  return takeOrNull(argv[0]!, pick);
}

function filterMask(fv: Vector | null, n: number): Uint8Array | null {
  if (!fv) return null;
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) keep[i] = getValue(fv, i) === true ? 1 : 0;
  return keep;
}

function aggregate(call: WindowCallSpec, argv: Vector[], fv: Vector | null, input: WindowInput): Vector {
  const { layout } = input;
  const { n, partOf, partStarts } = layout;
  const P = partStarts.length - 1;
  const keep = filterMask(fv, n);
  const newAcc = () => createAccumulator(call.agg!, call.aggOptions ?? { distinct: false });
  const frame = call.frame;

  if (isWholePartition(frame, input.hasOrderBy)) {
    const gids = Int32Array.from(partOf);
    if (keep) for (let i = 0; i < n; i++) if (!keep[i]) gids[i] = -1;
    const acc = newAcc();
    acc.update(gids, argv, n);
    return takeVector(acc.finalize(P), partOf);
  }

  const { start, end } = computeFrameBounds(layout, frame, input.rangeKey);
  const noExclusion = !frame.exclude || frame.exclude === 'no others';
  if (frame.start.kind === 'unbounded_preceding' && noExclusion && endsMonotone(end, partOf)) {
    const acc = newAcc();
    const vals = new Array<Value>(n);
    for (let p = 0; p < P; p++) {
      const ps = partStarts[p]!, pe = partStarts[p + 1]!;
      let fed = ps, lastEnd = -1;
      let last: Value = null;
      for (let i = ps; i < pe; i++) {
        const e = end[i]!;
        if (e > fed) {
          const gids = new Int32Array(e - fed).fill(p);
          if (keep) for (let r = fed; r < e; r++) if (!keep[r]) gids[r - fed] = -1;
          acc.update(gids, argv.map((v) => sliceVector(v, fed, e)), e - fed);
          fed = e;
        }
        if (e !== lastEnd) { last = acc.finalizeGroup(p); lastEnd = e; }
        vals[i] = last;
      }
    }
    return vectorFromValues(call.type, vals);
  }

  // General frames: expand (row, member) pairs chunk by chunk.
  const seg = new Int32Array(6);
  const sizes = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = frameSegments(layout, frame.exclude, start[i]!, end[i]!, i, seg);
    let s = 0;
    for (let j = 0; j < k; j++) s += seg[2 * j + 1]! - seg[2 * j]!;
    sizes[i] = s;
  }
  const parts: Vector[] = [];
  for (let c0 = 0; c0 < n; ) {
    let c1 = c0, total = 0;
    while (c1 < n && (c1 === c0 || total + sizes[c1]! <= PAIR_CHUNK)) total += sizes[c1++]!;
    const gids = new Int32Array(total), members = new Int32Array(total);
    let m = 0;
    for (let i = c0; i < c1; i++) {
      const k = frameSegments(layout, frame.exclude, start[i]!, end[i]!, i, seg);
      for (let j = 0; j < k; j++) {
        for (let r = seg[2 * j]!; r < seg[2 * j + 1]!; r++) {
          gids[m] = keep && !keep[r] ? -1 : i - c0;
          members[m++] = r;
        }
      }
    }
    const acc = newAcc();
    acc.update(gids, argv.map((v) => takeVector(v, members, total)), total);
    parts.push(acc.finalize(c1 - c0));
    c0 = c1;
  }
  return parts.length === 0 ? vectorFromValues(call.type, []) : concatVectors(parts[0]!.type, parts);
}

function endsMonotone(end: Int32Array, partOf: Int32Array): boolean {
  for (let i = 1; i < end.length; i++) if (partOf[i] === partOf[i - 1] && end[i]! < end[i - 1]!) return false;
  return true;
}
