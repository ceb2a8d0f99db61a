/**
 * TimescaleDB gap filling: time_bucket_gapfill() in a GROUP BY query, locf() and interpolate().
 *
 *   SELECT time_bucket_gapfill('1 hour', time, start, finish) AS h, host, locf(avg(v)) … GROUP BY h, host
 *
 * binds as
 *
 *   Project(targets)                       ← locf()/interpolate() read the GapFill marker columns
 *     GapFill(time=h, groups=[host], markers=[locf(#2)])
 *       Sort(host, h)                      ← TimescaleDB sorts by the other group keys, then time
 *         Project(agg output…, marker arguments…)
 *           [Filter HAVING]
 *             Aggregate(time_bucket('1 hour', time), host; avg(v))
 *
 * The SELECT binder rewrites every time_bucket_gapfill(w, ts[, tz][, start, finish]) call into
 * time_bucket(w, ts[, tz]) before binding (so GROUP BY matching and a distributed partial
 * aggregate see an ordinary time_bucket), and keeps the start/finish arguments here. Without
 * start/finish the bounds are inferred from WHERE conjuncts over the time column, as
 * TimescaleDB does (tsl/src/nodes/gapfill/gapfill_exec.c infer_gapfill_boundary).
 */
import { T, formatType } from '../../../storage/src/types/sql-type.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';
import { resolveOperator } from '../../../storage/src/functions/index.js';
import type { Expr, FuncCallExpr, OrderItem, SelectCore, SelectStmt } from '../parse/ast.js';
import type { AggregationState, QueryContext } from './context.js';
import type { GapfillBound, GapfillMarker, PlanNode, SortKey } from '../plan/nodes.js';
import { bindExpr } from './expr.js';
import { coerce } from './coerce.js';
import { exprKey, mapColumns, referencedColumns } from './expr-key.js';
import { WINDOW_PLACEHOLDER_BASE } from './aggregate-call.js';

/** locf()/interpolate() calls bind to placeholder columns remapped once the GapFill node exists. */
export const GAPFILL_PLACEHOLDER_BASE = 2_000_000;

const HINT = 'Specify start and finish as arguments or in the WHERE clause.';
const err = (code: string, msg: string, hint?: string, position?: number) => new SqlError(code, msg, { ...(hint ? { hint } : {}), ...(position !== undefined ? { position } : {}) });

// ---------------------------------------------------------------- AST rewrite

export interface GapfillCallAst {
  width: Expr;
  ts: Expr;
  timezone?: Expr;
  start?: Expr;
  finish?: Expr;
  position?: number;
}

const TBG_PARAMS = ['bucket_width', 'ts', 'timezone', 'start', 'finish'];

function isTbg(x: unknown): x is FuncCallExpr {
  const o = x as FuncCallExpr;
  return !!o && typeof o === 'object' && o.kind === 'func' && o.name === 'time_bucket_gapfill' && !o.over;
}

function callArgs(e: FuncCallExpr): GapfillCallAst {
  const slots: (Expr | undefined)[] = [];
  // positional: (w, ts), (w, ts, start), (w, ts, start, finish), (w, ts, timezone, start, finish)
  const p = e.args;
  slots[0] = p[0];
  slots[1] = p[1];
  if (p.length === 5) [slots[2], slots[3], slots[4]] = [p[2], p[3], p[4]];
  else [slots[3], slots[4]] = [p[2], p[3]];
  for (const na of e.namedArgs) {
    const i = TBG_PARAMS.indexOf(na.name);
    if (i < 0) throw err(SQLSTATE.undefinedFunction, `function time_bucket_gapfill has no parameter named "${na.name}"`, undefined, e.position);
    slots[i] = na.expr;
  }
  if (!slots[0] || !slots[1]) throw err(SQLSTATE.undefinedFunction, 'function time_bucket_gapfill requires arguments bucket_width and ts', undefined, e.position);
  return { width: slots[0], ts: slots[1], timezone: slots[2], start: slots[3], finish: slots[4], position: e.position };
}

function bucketAst(c: GapfillCallAst): Expr {
  const args: Expr[] = [c.width, c.ts];
  if (c.timezone) args.push({ kind: 'cast', expr: c.timezone, type: { name: 'text', modifiers: [], arrayDims: 0 } } as Expr);
  return { kind: 'func', name: 'time_bucket', args, namedArgs: [], distinct: false, star: false, orderBy: [], withinGroup: [], position: c.position } as FuncCallExpr;
}

/** Replace time_bucket_gapfill calls (outside nested subqueries) by time_bucket; collect them. */
function rewrite<X>(x: X, found: GapfillCallAst[], inOver?: GapfillCallAst[]): X {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map((y) => rewrite(y, found, inOver)) as X;
  const o = x as { kind?: string };
  if (o.kind === 'subquery' || o.kind === 'exists') return x;
  if (isTbg(o)) {
    const c = callArgs(o);
    found.push(c);
    const inner = rewrite(c, found, inOver); // nested calls count too (TimescaleDB: "multiple … calls")
    return bucketAst(inner) as X;
  }
  const out: Record<string, unknown> = {};
  // a window's PARTITION BY / ORDER BY reuses select-list entries: collected apart
  for (const [k, v] of Object.entries(o)) out[k] = k === 'query' ? v : k === 'over' && inOver ? rewrite(v, inOver, inOver) : rewrite(v, found, inOver);
  return out as X;
}

const strip = (e: unknown) => JSON.stringify(e, (k, v) => (k === 'position' ? undefined : v));

/**
 * Whether any string in the tree is exactly "time_bucket_gapfill": the test every SELECT passes
 * before the rewrite (false positives, e.g. a column of that name, only cost the rewrite). A walk,
 * not JSON text: serialising the statement with a replacer was the binder's largest cost.
 */
function mentionsGapfill(x: unknown): boolean {
  if (typeof x === 'string') return x === 'time_bucket_gapfill';
  if (x === null || typeof x !== 'object') return false;
  if (Array.isArray(x)) {
    for (const y of x) if (mentionsGapfill(y)) return true;
    return false;
  }
  for (const k in x) if (mentionsGapfill((x as Record<string, unknown>)[k])) return true;
  return false;
}

export interface GapfillRewrite {
  core: SelectCore;
  orderBy: OrderItem[];
  /** the gapfill call when the query groups (otherwise time_bucket_gapfill is plain time_bucket) */
  call?: GapfillCallAst;
  bucket?: Expr;
}

export function rewriteGapfill(core: SelectCore, stmt: SelectStmt | undefined): GapfillRewrite {
  const orderBy = stmt?.orderBy ?? [];
  if (!mentionsGapfill(core) && !mentionsGapfill(orderBy)) return { core, orderBy };
  const inTargets: GapfillCallAst[] = [];
  const inOver: GapfillCallAst[] = [];
  const targets = rewrite(core.targets, inTargets, inOver);
  // GROUP BY items that are not select-list entries are part of PostgreSQL's target list too
  const targetKeys = new Set(core.targets.map((t) => (t.kind === 'expr' ? strip(t.expr) : '')));
  const aliases = new Set(core.targets.map((t) => (t.kind === 'expr' ? t.alias : undefined)).filter(Boolean));
  const inGroup: GapfillCallAst[] = [];
  const groupBy = core.groupBy.map((g) => {
    const extra: GapfillCallAst[] = [];
    const r = rewrite(g, extra);
    if (!targetKeys.has(strip(g)) && !(g.kind === 'column' && aliases.has(g.name))) inGroup.push(...extra);
    return r;
  });
  const rest: GapfillCallAst[] = [];
  const out: SelectCore = { ...core, targets, groupBy, where: rewrite(core.where, rest), having: rewrite(core.having, rest) };
  const ob = rewrite(orderBy, rest);
  // a call in OVER (…) that repeats a select-list entry is that entry in PostgreSQL's target list
  const listed = new Set([...inTargets, ...inGroup].map(strip));
  const calls = [...inTargets, ...inGroup, ...inOver.filter((c) => !listed.has(strip(c)))];
  if (core.groupBy.length === 0 || calls.length === 0) return { core: out, orderBy: ob };
  if (calls.length > 1) throw err(SQLSTATE.featureNotSupported, 'multiple time_bucket_gapfill calls not allowed');
  return { core: out, orderBy: ob, call: calls[0], bucket: bucketAst(calls[0]!) };
}

// ---------------------------------------------------------------- marker binding

interface Collector {
  enabled: boolean;
  nesting: number;
  timeType: SqlType;
  markers: (GapfillMarker & { key: string; value: ExprNode })[];
}

const collectors = new WeakMap<AggregationState, Collector>();

export function enableMarkers(agg: AggregationState, enabled: boolean): void {
  const c = collectors.get(agg);
  if (c) c.enabled = enabled;
}

const INTERPOLATE_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8']);

function markerArgs(e: FuncCallExpr, names: string[]): (Expr | undefined)[] {
  const slots: (Expr | undefined)[] = [...e.args];
  for (const na of e.namedArgs) {
    const i = names.indexOf(na.name);
    if (i < 0) throw err(SQLSTATE.undefinedFunction, `function ${e.name} has no parameter named "${na.name}"`, undefined, e.position);
    slots[i] = na.expr;
  }
  if (slots.length > names.length || !slots[0]) throw err(SQLSTATE.undefinedFunction, `function ${e.name} with ${slots.length} arguments does not exist`, undefined, e.position);
  return slots;
}

const isNullLiteral = (e: Expr | undefined) => !e || (e.kind === 'literal' && e.literalType === 'null');

/** An expression of the row (time, value): a row constructor, a ::record cast of one, or a subquery selecting one. */
function recordFields(e: Expr, ctx: QueryContext): ExprNode[] {
  let x = e;
  while (x.kind === 'cast' && x.type.name === 'record') x = x.expr;
  if (x.kind === 'row') return x.fields.map((f) => bindExpr(f, ctx));
  if (x.kind === 'subquery' && !x.array && x.query.body.kind === 'core' && x.query.body.targets.length === 1) {
    const core = x.query.body;
    const t = core.targets[0]!;
    let inner = t.kind === 'expr' ? t.expr : undefined;
    while (inner && inner.kind === 'cast' && inner.type.name === 'record') inner = inner.expr;
    if (inner && inner.kind === 'row') {
      // (SELECT (a, b) FROM …) → (SELECT a FROM …), (SELECT b FROM …): one scalar subquery per field
      return inner.fields.map((f) => {
        const q: SelectStmt = { ...x.query, body: { ...core, targets: [{ kind: 'expr', expr: f }] } };
        return bindExpr({ kind: 'subquery', query: q }, ctx);
      });
    }
  }
  throw err(SQLSTATE.featureNotSupported, 'interpolate lookup arguments must be a row (time, value) or a subquery selecting one');
}

function lookupBound(e: Expr | undefined, ctx: QueryContext, timeType: SqlType, valueType: SqlType): { time: ExprNode; value: ExprNode } | undefined {
  if (isNullLiteral(e)) return undefined;
  const fields = recordFields(e!, ctx);
  if (fields.length !== 2) throw err(SQLSTATE.invalidParameterValue, 'interpolate RECORD arguments must have 2 elements');
  const fit = (f: ExprNode, want: SqlType, which: string, what: string): ExprNode => {
    if (f.type.id === want.id) return f;
    const ints = ['int2', 'int4', 'int8'];
    if (f.type.id === 'unknown' || (ints.includes(f.type.id) && ints.includes(want.id))) return coerce(f, want, ctx.stmt, 'implicit');
    throw new SqlError(SQLSTATE.invalidParameterValue, `${which} argument of interpolate returned record must match used ${what} datatype`, {
      detail: `Returned type ${formatType(f.type)} does not match expected type ${formatType(want)}.`,
    });
  };
  return { time: fit(fields[0]!, timeType, 'first', 'timestamp'), value: fit(fields[1]!, valueType, 'second', 'interpolate') };
}

/** locf(value [, prev [, treat_null_as_missing]]) / interpolate(value [, prev [, next]]). */
export function bindGapfillMarker(e: FuncCallExpr, ctx: QueryContext): ExprNode {
  const c = ctx.agg ? collectors.get(ctx.agg) : undefined;
  if (!c || !c.enabled) throw err(SQLSTATE.invalidParameterValue, `${e.name} can only be used in an aggregation query with time_bucket_gapfill`, undefined, e.position);
  if (c.nesting > 0) throw err(SQLSTATE.featureNotSupported, 'multiple interpolate/locf function calls per resultset column not supported');
  const kind = e.name as 'locf' | 'interpolate';
  const args = markerArgs(e, kind === 'locf' ? ['value', 'prev', 'treat_null_as_missing'] : ['value', 'prev', 'next']);
  c.nesting++;
  let value: ExprNode;
  try {
    value = bindExpr(args[0]!, ctx);
  } finally {
    c.nesting--;
  }
  if ([...referencedColumns(value)].some((i) => i >= WINDOW_PLACEHOLDER_BASE && i < GAPFILL_PLACEHOLDER_BASE)) {
    throw err(SQLSTATE.featureNotSupported, `window functions must not be below ${kind}`);
  }
  let marker: GapfillMarker & { value: ExprNode };
  if (kind === 'locf') {
    if (value.type.id === 'unknown') value = coerce(value, T.text, ctx.stmt, 'implicit');
    const prev = isNullLiteral(args[1]) ? undefined : coerce(bindExpr(args[1]!, ctx), value.type, ctx.stmt, 'implicit');
    let treat = false;
    if (args[2]) {
      let t = bindExpr(args[2], ctx);
      if (t.type.id === 'unknown' && t.k === 'const') t = coerce(t, T.bool, ctx.stmt, 'implicit');
      if (t.type.id !== 'bool') throw err(SQLSTATE.undefinedFunction, `function locf(${formatType(value.type)}, treat_null_as_missing => ${formatType(t.type)}) does not exist`, undefined, e.position);
      if (t.k !== 'const') throw err(SQLSTATE.featureNotSupported, 'invalid locf argument: treat_null_as_missing must be a BOOL literal');
      treat = t.value === true;
    }
    marker = { kind, type: value.type, argIndex: -1, prev, treatNullAsMissing: treat, value };
  } else {
    if (value.type.id === 'numeric' || value.type.id === 'unknown') value = coerce(value, T.float8, ctx.stmt, 'implicit');
    if (!INTERPOLATE_TYPES.has(value.type.id)) throw err(SQLSTATE.undefinedFunction, `function interpolate(${formatType(value.type)}) does not exist`, undefined, e.position);
    marker = {
      kind,
      type: value.type,
      argIndex: -1,
      before: lookupBound(args[1], ctx, c.timeType, value.type),
      after: lookupBound(args[2], ctx, c.timeType, value.type),
      treatNullAsMissing: false,
      value,
    };
  }
  const k = (x?: ExprNode) => (x ? exprKey(x) : '');
  const key = [kind, k(value), k(marker.prev), k(marker.before?.time), k(marker.before?.value), k(marker.after?.time), k(marker.after?.value), marker.treatNullAsMissing].join('|');
  let idx = c.markers.findIndex((m) => m.key === key);
  if (idx < 0) {
    idx = c.markers.length;
    c.markers.push({ ...marker, key });
  }
  return { k: 'col', type: value.type, index: GAPFILL_PLACEHOLDER_BASE + idx };
}

// ---------------------------------------------------------------- the query-level state

export interface GapfillState {
  agg: AggregationState;
  timeIndex: number;
  timeType: SqlType;
  call: Extract<ExprNode, { k: 'call' }>;
  start: GapfillBound[];
  finish: GapfillBound[];
  alignStart: boolean;
}

/** A bound argument that may be evaluated before the query runs: no columns, no subqueries. */
function simple(e: ExprNode): boolean {
  if (e.k === 'col' || e.k === 'subquery' || e.k === 'corr') return false;
  switch (e.k) {
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
      return e.args.every(simple);
    case 'cast':
    case 'not':
    case 'isnull':
    case 'isbool':
      return simple(e.arg);
    case 'case':
      return e.whens.every((w) => simple(w.cond) && simple(w.then)) && (!e.else || simple(e.else));
    case 'inlist':
      return simple(e.arg) && e.list.every(simple);
    default:
      return true;
  }
}

function conjuncts(e: ExprNode | undefined): ExprNode[] {
  if (!e) return [];
  return e.k === 'and' ? e.args.flatMap(conjuncts) : [e];
}

const COMMUTE: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** Bounds of the time column from `time >= x`, `time > x`, `time < y`, `time <= y` conjuncts (BETWEEN included). */
function inferBounds(where: ExprNode | undefined, tsIndex: number, timeType: SqlType, ctx: QueryContext): { start: GapfillBound[]; finish: GapfillBound[] } {
  const start: GapfillBound[] = [];
  const finish: GapfillBound[] = [];
  for (const c of conjuncts(where)) {
    if (c.k !== 'call' || c.args.length !== 2) continue;
    const name = c.fn.slice(0, c.fn.indexOf('(') > 0 ? c.fn.indexOf('(') : c.fn.length);
    if (!(name in COMMUTE)) continue;
    const [l, r] = c.args as [ExprNode, ExprNode];
    const isTs = (x: ExprNode) => x.k === 'col' && x.index === tsIndex;
    let op = name;
    let value: ExprNode;
    if (isTs(l) && simple(r)) value = r;
    else if (isTs(r) && simple(l)) {
      value = l;
      op = COMMUTE[name]!;
    } else continue;
    const v = value.type.id === timeType.id ? value : coerce(value, timeType, ctx.stmt, 'explicit');
    if (op === '>=' || op === '>') start.push({ expr: v, plusOne: op === '>' });
    else finish.push({ expr: v, plusOne: op === '<=' });
  }
  return { start, finish };
}

/**
 * After GROUP BY is bound: find the time bucket among the group expressions, bind start/finish
 * (or infer them from WHERE), and make locf()/interpolate() available to the select list.
 */
export function setupGapfill(rw: GapfillRewrite, agg: AggregationState, where: ExprNode | undefined, ctx: QueryContext): GapfillState {
  const pre: QueryContext = { ...ctx, scope: agg.preScope, agg: undefined, windows: undefined, noAggregatesIn: 'GROUP BY', noWindowsIn: 'GROUP BY' };
  const bucket = bindExpr(rw.bucket!, pre);
  const key = exprKey(bucket);
  const timeIndex = agg.groupExprs.findIndex((g) => exprKey(g) === key);
  if (timeIndex < 0 || bucket.k !== 'call') throw err(SQLSTATE.invalidParameterValue, 'no top level time_bucket_gapfill in group by clause');
  const timeType = bucket.type;
  if (!simple(bucket.args[0]!)) throw err(SQLSTATE.invalidParameterValue, 'invalid time_bucket_gapfill argument: bucket_width must be a simple expression');
  const call = rw.call!;
  const bindBound = (e: Expr | undefined, which: 'start' | 'finish'): GapfillBound[] | undefined => {
    if (isNullLiteral(e)) return undefined;
    const b = bindExpr(e!, pre);
    if (!simple(b)) throw err(SQLSTATE.invalidParameterValue, `invalid time_bucket_gapfill argument: ${which} must be a simple expression`);
    return [{ expr: b.type.id === timeType.id ? b : coerce(b, timeType, ctx.stmt, 'explicit'), plusOne: false }];
  };
  let start = bindBound(call.start, 'start');
  let finish = bindBound(call.finish, 'finish');
  if (!start || !finish) {
    const ts = bucket.args[1]!;
    if (ts.k !== 'col') {
      throw err(SQLSTATE.invalidParameterValue, 'invalid time_bucket_gapfill argument: ts needs to refer to a single column if no start or finish is supplied', HINT);
    }
    const inferred = inferBounds(where, ts.index, timeType, ctx);
    if (!start) {
      if (inferred.start.length === 0) throw err(SQLSTATE.invalidParameterValue, 'missing time_bucket_gapfill argument: could not infer start from WHERE clause', HINT);
      start = inferred.start;
    }
    if (!finish) {
      if (inferred.finish.length === 0) throw err(SQLSTATE.invalidParameterValue, 'missing time_bucket_gapfill argument: could not infer finish from WHERE clause', HINT);
      finish = inferred.finish;
    }
  }
  collectors.set(agg, { enabled: false, nesting: 0, timeType, markers: [] });
  return { agg, timeIndex, timeType, call: bucket, start, finish, alignStart: true };
}

/** TimescaleDB: a locf()/interpolate() call must be the whole select-list entry (or sit inside a window call). */
export function checkMarkerTargets(exprs: ExprNode[], state: GapfillState): void {
  const c = collectors.get(state.agg)!;
  for (const e of exprs) {
    const refs = [...referencedColumns(e)];
    const markers = refs.filter((i) => i >= GAPFILL_PLACEHOLDER_BASE);
    if (markers.length === 0 || (e.k === 'col' && e.index >= GAPFILL_PLACEHOLDER_BASE)) continue;
    if (refs.some((i) => i >= WINDOW_PLACEHOLDER_BASE && i < GAPFILL_PLACEHOLDER_BASE)) continue;
    throw err(SQLSTATE.featureNotSupported, `${c.markers[markers[0]! - GAPFILL_PLACEHOLDER_BASE]!.kind} must be toplevel function call`);
  }
}

/** Stack the GapFill stage on the aggregate (after HAVING); returns the column of each marker. */
export function buildGapfillStage(input: PlanNode, state: GapfillState): { plan: PlanNode; remap: (e: ExprNode) => ExprNode } {
  const c = collectors.get(state.agg)!;
  const width = input.types.length;
  const base: ExprNode[] = input.types.map((t, i) => ({ k: 'col', type: t, index: i }));
  const project: ExprNode[] = [...base, ...c.markers.map((m) => m.value)];
  let plan: PlanNode = { op: 'project', input, exprs: project, types: project.map((e) => e.type) };
  const groupIndexes = state.agg.groupExprs.map((_, i) => i).filter((i) => i !== state.timeIndex);
  const keys: SortKey[] = [...groupIndexes, state.timeIndex].map((i) => ({ expr: { k: 'col', type: plan.types[i]!, index: i }, desc: false, nullsFirst: false }));
  plan = { op: 'sort', input: plan, keys, types: plan.types };
  const markers: GapfillMarker[] = c.markers.map((m, j) => ({ kind: m.kind, type: m.type, argIndex: width + j, prev: m.prev, before: m.before, after: m.after, treatNullAsMissing: m.treatNullAsMissing }));
  const layout = plan.types;
  const ivl = state.call.args[0]!.type.id === 'interval';
  const zoned = state.call.args.length > 2;
  const advanceFrom = state.timeType.id === 'timestamptz' && !zoned ? T.timestamp : state.timeType;
  plan = {
    op: 'gapfill',
    input: plan,
    timeIndex: state.timeIndex,
    groupIndexes,
    bucket: state.call,
    start: state.start,
    finish: state.finish,
    advanceFn: ivl ? resolveOperator('+', advanceFrom, T.interval).fnId : undefined,
    advanceType: advanceFrom,
    markers,
    types: [...layout, ...c.markers.map((m) => m.type)],
  };
  const first = layout.length;
  const remap = (e: ExprNode) =>
    mapColumns(e, (i, node) => (i >= GAPFILL_PLACEHOLDER_BASE ? { k: 'col', type: node.type, index: first + i - GAPFILL_PLACEHOLDER_BASE } : node));
  return { plan, remap };
}
