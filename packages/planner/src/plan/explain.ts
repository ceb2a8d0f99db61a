/**
 * EXPLAIN text: one line per operator with PostgreSQL-style `->` indentation;
 * expressions are printed with the names of the columns they read.
 */
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { Value } from '../../../storage/src/types/values.js';
import { DEFAULT_FORMAT_CONTEXT } from '../../../storage/src/types/values.js';
import type { SqlType } from '../../../storage/src/types/sql-type.js';
import { formatType } from '../../../storage/src/types/sql-type.js';
import { formatText } from '../../../storage/src/types/text-io.js';
import type { PlanNode } from './nodes.js';
import { functionScanParts } from './nodes.js';
import { extractEquiKeys } from './equi-keys.js';
import { functionName } from '../bind/expr-key.js';
import { timeOrderOf } from './build-distributed.js';

/** A constant as PostgreSQL's EXPLAIN prints it: text output, quoted and typed where it is not a plain number. */
function literal(v: Value, type: SqlType): string {
  if (v === null) return 'NULL';
  const text = formatText(type, v, DEFAULT_FORMAT_CONTEXT);
  if (['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'bool'].includes(type.id)) return text;
  const quoted = `'${text.replace(/'/g, "''")}'`;
  return ['text', 'unknown', 'varchar', 'name'].includes(type.id) ? quoted : `${quoted}::${formatType(type)}`;
}

export function exprText(e: ExprNode, labels: readonly string[]): string {
  const t = (x: ExprNode) => exprText(x, labels);
  switch (e.k) {
    case 'const':
      return literal(e.value, e.type);
    case 'col':
      return labels[e.index] ?? `$${e.index}`;
    case 'param':
      return `$${e.index + 1}`;
    case 'corr':
      return `outer.$${e.slot}`;
    case 'call': {
      const name = functionName(e.fn);
      if (!/^[a-z_]/i.test(name) && e.args.length === 2) return `(${t(e.args[0]!)} ${name} ${t(e.args[1]!)})`;
      if (!/^[a-z_]/i.test(name) && e.args.length === 1) return `(${name}${t(e.args[0]!)})`;
      return `${name}(${e.args.map(t).join(', ')})`;
    }
    case 'cast':
      return `(${t(e.arg)})::${e.type.id}`;
    case 'and':
    case 'or':
      return `(${e.args.map(t).join(` ${e.k.toUpperCase()} `)})`;
    case 'not':
      return `NOT ${t(e.arg)}`;
    case 'isnull':
      return `(${t(e.arg)} IS ${e.negate ? 'NOT ' : ''}NULL)`;
    case 'isbool':
      return `(${t(e.arg)} IS ${e.negate ? 'NOT ' : ''}${e.test.toUpperCase()})`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${t(w.cond)} THEN ${t(w.then)}`).join(' ')}${e.else ? ` ELSE ${t(e.else)}` : ''} END`;
    case 'coalesce':
      return `COALESCE(${e.args.map(t).join(', ')})`;
    case 'inlist':
      return `(${t(e.arg)} ${e.negate ? 'NOT ' : ''}IN (${e.list.map(t).join(', ')}))`;
    case 'subquery':
      return `(SubPlan ${e.id})`;
  }
}

/** Output column labels of a plan node, used to print its parent's expressions. */
export function outputLabels(p: PlanNode): string[] {
  switch (p.op) {
    case 'scan': {
      const names = p.columnIds.map((id) => `${p.alias}.${p.table.columns.find((c) => c.id === id)?.name ?? `#${id}`}`);
      return p.withRowId ? [...names, `${p.alias}.ctid`] : names;
    }
    case 'project': {
      const input = outputLabels(p.input);
      return p.exprs.map((e) => exprText(e, input));
    }
    case 'aggregate': {
      const input = outputLabels(p.input);
      return [...p.groupBy.map((g) => exprText(g, input)), ...p.aggs.map((a) => `${a.name}(${a.distinct ? 'DISTINCT ' : ''}${a.args.map((x) => exprText(x, input)).join(', ') || '*'})`)];
    }
    case 'window': {
      const input = outputLabels(p.input);
      return [...input, ...p.calls.map((c) => `${c.kind}(…) OVER (…)`)];
    }
    case 'join':
      return [...outputLabels(p.left), ...outputLabels(p.right)];
    case 'gapfill': {
      const input = outputLabels(p.input);
      return [...input, ...p.markers.map((m) => `${m.kind}(${input[m.argIndex]})`)];
    }
    case 'filter':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'firstpergroup':
      return outputLabels(p.input);
    case 'setop':
      return outputLabels(p.left);
    case 'cte':
      return p.types.map((_, i) => `${p.name}.$${i}`);
    case 'function':
      if (p.zipped) return functionScanParts(p).flatMap((f) => f.types.map(() => f.name));
      return p.types.map((_, i) => (i === 0 ? p.name : 'ordinality'));
    case 'dscan': {
      const scan = p.columnIds.map((id) => `${p.alias}.${p.table.columns.find((c) => c.id === id)?.name ?? `#${id}`}`);
      const projected = p.project ? p.project.map((e) => exprText(e, scan)) : scan;
      const stage = p.join ? [...projected, ...outputLabels(p.join.right)] : projected;
      if (!p.aggregate) return stage;
      return [...p.aggregate.groupBy.map((g) => exprText(g, stage)), ...p.aggregate.aggs.map((a) => `${a.name}(${a.distinct ? 'DISTINCT ' : ''}${a.args.map((x) => exprText(x, stage)).join(', ') || '*'})`)];
    }
    default:
      return p.types.map((_, i) => `$${i}`);
  }
}

function describe(p: PlanNode): { title: string; details: string[]; children: PlanNode[] } {
  const inputLabels = (x: PlanNode) => outputLabels(x);
  switch (p.op) {
    case 'scan':
      return { title: `Seq Scan on ${p.table.name}${p.alias !== p.table.name ? ` ${p.alias}` : ''}`, details: [`Output: ${outputLabels(p).join(', ')}`, ...(p.filter ? [`Filter: ${exprText(p.filter, outputLabels({ ...p, withRowId: false }))}`] : [])], children: [] };
    case 'values':
      return { title: `Values Scan (${p.rows.length} rows)`, details: [], children: [] };
    case 'single':
      return { title: 'Result', details: [], children: [] };
    case 'function':
      return { title: `Function Scan on ${functionScanParts(p).map((f) => f.name).join(', ')}`, details: [], children: [] };
    case 'filter':
      return { title: 'Filter', details: [`Filter: ${exprText(p.predicate, inputLabels(p.input))}`], children: [p.input] };
    case 'project':
      return { title: 'Project', details: [`Output: ${outputLabels(p).join(', ')}`], children: [p.input] };
    case 'aggregate': {
      const input = inputLabels(p.input);
      const out = outputLabels(p);
      return {
        title: p.groupBy.length ? 'HashAggregate' : 'Aggregate',
        details: [...(p.groupBy.length ? [`Group Key: ${p.groupBy.map((g) => exprText(g, input)).join(', ')}`] : []), `Aggregates: ${out.slice(p.groupBy.length).join(', ')}`],
        children: [p.input],
      };
    }
    case 'window':
      return { title: 'WindowAgg', details: [`Calls: ${p.calls.map((c) => c.kind).join(', ')}`], children: [p.input] };
    case 'sort':
      return { title: p.limit !== undefined ? `Top-N Sort (limit ${p.limit})` : 'Sort', details: [`Sort Key: ${p.keys.map((k) => `${exprText(k.expr, inputLabels(p.input))}${k.desc ? ' DESC' : ''}${k.nullsFirst !== k.desc ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`).join(', ')}`], children: [p.input] };
    case 'limit':
      return { title: 'Limit', details: [], children: [p.input] };
    case 'distinct':
      return { title: p.on ? 'Unique (DISTINCT ON)' : 'HashAggregate (DISTINCT)', details: [], children: [p.input] };
    case 'join': {
      const labels = outputLabels(p);
      const kind = p.joinType === 'cross' ? 'inner' : p.joinType;
      if (p.lateralColumns) return { title: `Nested Loop (lateral ${kind})`, details: [], children: [p.left, p.right] };
      if (p.condition) {
        const keys = extractEquiKeys(p.condition, p.left.types.length);
        if (keys.leftKeys.length > 0) {
          const rightLabels = outputLabels(p.right);
          const conds = keys.leftKeys.map((l, i) => `${exprText(l, labels)} = ${exprText(keys.rightKeys[i]!, rightLabels)}`);
          const strategy = p.cost ? [`Join strategy: access node, cost ${p.cost.accessNode} <= broadcast ${p.cost.broadcast} (hypertable rows≈${p.cost.hypertableRows}, small side rows≈${p.cost.smallRows}, ${p.cost.nodes} node${p.cost.nodes > 1 ? 's' : ''})`] : [];
          return { title: `Hash ${kind[0]!.toUpperCase()}${kind.slice(1)} Join`, details: [`Hash Cond: ${conds.join(' AND ')}`, ...(keys.residual ? [`Join Filter: ${exprText(keys.residual, labels)}`] : []), ...strategy], children: [p.left, p.right] };
        }
        return { title: `Nested Loop ${kind[0]!.toUpperCase()}${kind.slice(1)} Join`, details: [`Join Filter: ${exprText(p.condition, labels)}`], children: [p.left, p.right] };
      }
      return { title: 'Nested Loop', details: [], children: [p.left, p.right] };
    }
    case 'setop':
      return { title: `${p.kind === 'union' ? (p.all ? 'Append' : 'HashAggregate (UNION)') : `HashSetOp ${p.kind[0]!.toUpperCase()}${p.kind.slice(1)}${p.all ? ' All' : ''}`}`, details: [], children: [p.left, p.right] };
    case 'cte':
      return { title: `CTE Scan on ${p.name}`, details: [], children: [] };
    case 'recursive':
      return { title: `Recursive Union (${p.name})`, details: [], children: [p.nonRecursive, p.recursive] };
    case 'worktable':
      return { title: 'WorkTable Scan', details: [], children: [] };
    case 'rows':
      return { title: `Result (${p.label})`, details: [], children: [] };
    case 'dscan':
      return { title: 'Custom Scan (DataNodeScan)', details: [], children: [] };
    case 'gapfill':
      return { title: 'Custom Scan (GapFill)', details: p.markers.length ? [`Fill: ${p.markers.map((m) => `${m.kind}(${inputLabels(p.input)[m.argIndex]})`).join(', ')}`] : [], children: [p.input] };
    case 'firstpergroup': {
      const input = inputLabels(p.input);
      return { title: `First Row Per Group (DISTINCT ON ${p.on.map((i) => input[i]).join(', ')})`, details: p.order.length ? [`Order: ${p.order.map((k) => `${exprText(k.expr, input)}${k.desc ? ' DESC' : ''}`).join(', ')}`] : [], children: [p.input] };
    }
  }
}

/** The fragment a data node runs, innermost stage last (PostgreSQL's order: the top operator first). */
function fragmentLines(p: Extract<PlanNode, { op: 'dscan' }>): string[] {
  const scan = p.columnIds.map((id) => `${p.alias}.${p.table.columns.find((c) => c.id === id)?.name ?? `#${id}`}`);
  const projected = p.project ? p.project.map((e) => exprText(e, scan)) : scan;
  const stage = p.join ? [...projected, ...outputLabels(p.join.right)] : projected;
  const lines: string[] = [];
  if (p.firstPerGroup) lines.push(`First Row Per Group (DISTINCT ON ${p.firstPerGroup.on.map((i) => stage[i]).join(', ')})`);
  if (p.sort && timeOrderOf(p)) lines.push('Chunks in time order: stops at the first chunk that cannot improve the top-N');
  if (p.sort) lines.push(`${p.limit !== undefined ? `Top-N Sort (limit ${p.limit})` : 'Sort'}: ${p.sort.map((k) => `${exprText(k.expr, outputLabels({ ...p, sort: undefined, limit: undefined }))}${k.desc ? ' DESC' : ''}`).join(', ')}`);
  else if (p.limit !== undefined) lines.push(`Limit: ${p.limit}`);
  if (p.aggregate) {
    const kind = `${p.aggregate.mode === 'partial' ? 'Partial ' : ''}${p.aggregate.groupBy.length ? 'HashAggregate' : 'Aggregate'}`;
    const out = outputLabels(p);
    lines.push(`${kind}${p.aggregate.groupBy.length ? ` (Group Key: ${p.aggregate.groupBy.map((g) => exprText(g, stage)).join(', ')})` : ''}: ${out.slice(p.aggregate.groupBy.length).join(', ')}`);
  }
  if (p.join) {
    const j = p.join;
    const right = outputLabels(j.right);
    const conds = j.leftKeys.map((l, i) => `${exprText(l, projected)} = ${exprText(j.rightKeys[i]!, right)}`);
    lines.push(`Hash ${j.type === 'left' ? 'Left ' : ''}Join with shipped rows (Hash Cond: ${conds.join(' AND ')})`);
    lines.push(`Join strategy: broadcast, cost ${j.cost.broadcast} < access-node join ${j.cost.accessNode} (hypertable rows≈${j.cost.hypertableRows}, shipped rows≈${j.cost.smallRows} to ${j.cost.nodes} node${j.cost.nodes > 1 ? 's' : ''})`);
  }
  if (p.project) lines.push(`Output: ${projected.join(', ')}`);
  if (p.filter) lines.push(`Filter: ${exprText(p.filter, scan)}`);
  lines.push(`Scan: ${scan.join(', ')}`);
  return lines;
}

export interface ExplainOptions {
  /** chunks per data node for a distributed scan (computed with constant bounds only) */
  chunksByNode?: (p: Extract<PlanNode, { op: 'dscan' }>) => Map<string, { name: string; rows: number }[]>;
  /** actual rows and time per node from EXPLAIN ANALYZE */
  actual?: Map<string, { rows: number; millis: number }>;
}

export function explainPlan(plan: PlanNode, opts: ExplainOptions = {}): string[] {
  const lines: string[] = [];
  const printedCtes = new Set<object>();
  const walk = (p: PlanNode, depth: number) => {
    if (p.op === 'dscan') return walkDistributed(p, depth);
    const d = describe(p);
    if (p.op === 'cte' && !printedCtes.has(p.cte)) {
      // the body of a WITH query is shown once, under its first reference
      printedCtes.add(p.cte);
      d.children = [p.cte.plan];
    }
    const pad = depth === 0 ? '' : `${' '.repeat(depth * 6 - 6)}  ->  `;
    lines.push(`${pad}${d.title}`);
    const detailPad = depth === 0 ? '  ' : ' '.repeat(depth * 6 + 2);
    for (const x of d.details) lines.push(`${detailPad}${x}`);
    for (const c of d.children) walk(c, depth + 1);
  };
  const pad = (depth: number) => (depth === 0 ? '' : `${' '.repeat(depth * 6 - 6)}  ->  `);
  const detailPad = (depth: number) => (depth === 0 ? '  ' : ' '.repeat(depth * 6 + 2));
  const walkDistributed = (p: Extract<PlanNode, { op: 'dscan' }>, depth: number) => {
    let d = depth;
    if (p.combine === 'finalize') {
      const out = outputLabels(p);
      const nk = p.aggregate!.groupBy.length;
      lines.push(`${pad(d)}Finalize ${nk ? 'HashAggregate' : 'Aggregate'}`);
      if (nk) lines.push(`${detailPad(d)}Group Key: ${out.slice(0, nk).join(', ')}`);
      lines.push(`${detailPad(d)}Aggregates: ${out.slice(nk).join(', ')}`);
      d++;
    }
    const nodes = opts.chunksByNode ? opts.chunksByNode(p) : new Map<string, { name: string; rows: number }[]>();
    const distributed = p.table.hypertable!.distributed;
    lines.push(`${pad(d)}${distributed ? 'Custom Scan (AsyncAppend)' : `Custom Scan (ChunkAppend) on ${p.table.name}`}`);
    if (distributed) {
      d++;
      lines.push(`${pad(d)}${p.combine === 'merge' ? 'Merge Append' : 'Append'}`);
    }
    d++;
    for (const [node, chunks] of nodes) {
      const est = chunks.reduce((n, c) => n + c.rows, 0);
      lines.push(`${pad(d)}${distributed ? `Custom Scan (DataNodeScan) on ${p.table.name}` : 'Local chunks'}  (rows≈${est})`);
      if (distributed) lines.push(`${detailPad(d)}Data node: ${node}`);
      lines.push(`${detailPad(d)}Chunks: ${chunks.map((c) => c.name).join(', ')}`);
      if (opts.actual) {
        const a = opts.actual.get(node) ?? { rows: 0, millis: 0 };
        lines.push(`${detailPad(d)}Actual rows: ${a.rows}  time: ${a.millis.toFixed(3)} ms`);
      }
      for (const l of fragmentLines(p)) lines.push(`${detailPad(d)}${l}`);
    }
    if (nodes.size === 0) lines.push(`${pad(d)}(no chunks)`);
  };
  walk(plan, 0);
  return lines;
}
