/**
 * Chunk exclusion: conjuncts of a hypertable scan's filter that bound the
 * time column or pin the space column to constants. The bounds are
 * expressions without column references (constants, $n, now() - interval), so
 * they are evaluated per execution and exclusion works for prepared
 * statements and now()-relative windows too.
 */
import type { CompiledExpr, ExprNode, EvalContext } from '../../../storage/src/expr/expr.js';
import type { Value } from '../../../storage/src/types/values.js';
import { compileExpr } from '../../../storage/src/expr/compile.js';
import { getValue } from '../../../storage/src/vector.js';
import { pgHashFunction, partitionHash } from '../../../storage/src/partitioning/hash.js';
import { partitionForHash, timeValueToInternal, type TimeColumnType } from '../../../storage/src/partitioning/dimension.js';
import type { TableInfo } from '../catalog/catalog.js';
import type { ChunkInfo } from '../catalog/hypertable.js';
import { closedDimension, openDimension } from '../catalog/hypertable.js';
import { containsVolatileOrSubquery, functionName, referencedColumns } from '../bind/expr-key.js';

export interface TimeBound {
  op: '<' | '<=' | '>' | '>=' | '=';
  value: ExprNode;
}

export interface ExclusionSpec {
  time: TimeBound[];
  /** the space column equals one of these (IN list / =); empty = no space restriction */
  space: ExprNode[];
}

const FLIP: Record<string, TimeBound['op']> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };

function opOf(fn: string): TimeBound['op'] | null {
  const name = functionName(fn);
  return name === '<' || name === '<=' || name === '>' || name === '>=' || name === '=' ? name : null;
}

function isConstLike(e: ExprNode): boolean {
  return referencedColumns(e).size === 0 && !containsVolatileOrSubquery(e);
}

function conjuncts(e: ExprNode): ExprNode[] {
  return e.k === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** Extract exclusion predicates; `timeIndex`/`spaceIndex` are positions among the scanned columns. */
export function extractExclusion(filter: ExprNode | undefined, timeIndex: number, spaceIndex: number, timeTypeId: string): ExclusionSpec {
  const spec: ExclusionSpec = { time: [], space: [] };
  if (!filter) return spec;
  for (const c of conjuncts(filter)) {
    if (c.k === 'call' && c.args.length === 2) {
      const op = opOf(c.fn);
      if (!op) continue;
      const [a, b] = c.args as [ExprNode, ExprNode];
      if (a.k === 'col' && a.index === timeIndex && isConstLike(b) && b.type.id === timeTypeId) spec.time.push({ op, value: b });
      else if (b.k === 'col' && b.index === timeIndex && isConstLike(a) && a.type.id === timeTypeId) spec.time.push({ op: FLIP[op]!, value: a });
      else if (op === '=' && spaceIndex >= 0 && spec.space.length === 0) {
        if (a.k === 'col' && a.index === spaceIndex && isConstLike(b) && b.type.id === a.type.id) spec.space.push(b);
        else if (b.k === 'col' && b.index === spaceIndex && isConstLike(a) && a.type.id === b.type.id) spec.space.push(a);
      }
    } else if (c.k === 'inlist' && !c.negate && spaceIndex >= 0 && c.arg.k === 'col' && c.arg.index === spaceIndex && c.list.every(isConstLike) && spec.space.length === 0) {
      spec.space.push(...c.list);
    }
  }
  return spec;
}

const compiled = new WeakMap<ExprNode, CompiledExpr>();

/** A bound's value for this execution (each bound expression is compiled once). */
function evalValue(e: ExprNode, ctx: EvalContext): Value {
  let c = compiled.get(e);
  if (!c) compiled.set(e, (c = compileExpr(e)));
  return getValue(c({ length: 1, columns: [] }, ctx), 0);
}

/** The time bounds of one execution, in the time column's own units; rows have lo <= t and t < hi (or <= when hiIncl). */
export interface TimeWindow {
  lo: number;
  hi: number;
  hiIncl: boolean;
}

/**
 * Evaluate the time bounds: 'empty' when a bound is NULL (nothing can match),
 * null when a bound is not a number (no time exclusion). Without a context
 * (EXPLAIN), only constant bounds are used.
 */
export function timeWindow(spec: ExclusionSpec, ctx: EvalContext | null): TimeWindow | 'empty' | null {
  const w: TimeWindow = { lo: -Infinity, hi: Infinity, hiIncl: true };
  for (const b of spec.time) {
    if (!ctx && b.value.k !== 'const') continue;
    const v = ctx ? evalValue(b.value, ctx) : (b.value as { value: Value }).value;
    if (v === null) return 'empty';
    if (typeof v !== 'number') return null;
    if ((b.op === '>' || b.op === '>=' || b.op === '=') && v > w.lo) w.lo = v;
    if ((b.op === '<' || b.op === '<=' || b.op === '=') && (v < w.hi || (v === w.hi && b.op === '<'))) {
      w.hi = v;
      w.hiIncl = b.op !== '<';
    }
  }
  return w;
}

/** Chunks that can hold rows satisfying the exclusion predicates. */
export function survivingChunks(table: TableInfo, spec: ExclusionSpec, ctx: EvalContext | null, window = timeWindow(spec, ctx)): ChunkInfo[] {
  const ht = table.hypertable!;
  if (window === 'empty') return [];
  if (window === null) return ht.chunks.slice();
  const open = openDimension(ht);
  const timeType = table.columns.find((c) => c.id === open.columnId)!.type.id as TimeColumnType;
  const lo = timeValueToInternalSafe(window.lo, timeType);
  const hi = timeValueToInternalSafe(window.hi, timeType);
  let spaceHashes: number[] | null = null;
  const closed = closedDimension(ht);
  if (closed && spec.space.length > 0 && (ctx || spec.space.every((e) => e.k === 'const'))) {
    const col = table.columns.find((c) => c.id === closed.columnId)!;
    const hash = pgHashFunction(col.type.id);
    if (hash) {
      spaceHashes = [];
      for (const e of spec.space) {
        const v = ctx ? evalValue(e, ctx) : (e as { value: Value }).value;
        if (v !== null) spaceHashes.push(partitionHash(hash(v)));
      }
    }
  }
  return ht.chunks.filter((c) => {
    // chunk range is [timeStart, timeEnd)
    if (c.timeEnd <= lo) return false;
    if (c.timeStart > hi || (c.timeStart === hi && !window.hiIncl)) return false;
    if (spaceHashes && c.spaceIndex >= 0) return spaceHashes.some((h) => partitionForHash(h, c.numPartitions) === c.spaceIndex);
    return true;
  });
}

function timeValueToInternalSafe(v: number, type: TimeColumnType): number {
  if (!Number.isFinite(v)) return v;
  try {
    return timeValueToInternal(v, type);
  } catch {
    return v;
  }
}
