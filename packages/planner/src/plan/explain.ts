/** EXPLAIN text: one line per operator, PostgreSQL-style indentation with `->`. */
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { PlanNode } from './nodes.js';

function expr(e: ExprNode): string {
  switch (e.k) {
    case 'const':
      return e.value === null ? 'NULL' : typeof e.value === 'string' ? `'${e.value}'` : String(e.value);
    case 'col':
      return `$${e.index}`;
    case 'param':
      return `$${e.index + 1}`;
    case 'corr':
      return `outer.${e.slot}`;
    case 'call':
      return `${e.fn.replace(/\(.*$/, '')}(${e.args.map(expr).join(', ')})`;
    case 'cast':
      return `(${expr(e.arg)})::${e.type.id}`;
    case 'and':
    case 'or':
      return `(${e.args.map(expr).join(` ${e.k.toUpperCase()} `)})`;
    case 'not':
      return `NOT ${expr(e.arg)}`;
    case 'isnull':
      return `${expr(e.arg)} IS ${e.negate ? 'NOT ' : ''}NULL`;
    case 'isbool':
      return `${expr(e.arg)} IS ${e.negate ? 'NOT ' : ''}${e.test.toUpperCase()}`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${expr(w.cond)} THEN ${expr(w.then)}`).join(' ')}${e.else ? ` ELSE ${expr(e.else)}` : ''} END`;
    case 'coalesce':
      return `COALESCE(${e.args.map(expr).join(', ')})`;
    case 'inlist':
      return `${expr(e.arg)} ${e.negate ? 'NOT ' : ''}IN (${e.list.map(expr).join(', ')})`;
    case 'subquery':
      return `(SubPlan ${e.id})`;
  }
}

function describe(p: PlanNode): { title: string; details: string[]; children: PlanNode[] } {
  switch (p.op) {
    case 'scan':
      return { title: `Seq Scan on ${p.table.name}${p.alias !== p.table.name ? ` ${p.alias}` : ''}`, details: p.filter ? [`Filter: ${expr(p.filter)}`] : [], children: [] };
    case 'values':
      return { title: `Values Scan (${p.rows.length} rows)`, details: [], children: [] };
    case 'single':
      return { title: 'Result', details: [], children: [] };
    case 'function':
      return { title: `Function Scan on ${p.name}`, details: [], children: [] };
    case 'filter':
      return { title: 'Filter', details: [`Filter: ${expr(p.predicate)}`], children: [p.input] };
    case 'project':
      return { title: 'Project', details: [`Output: ${p.exprs.map(expr).join(', ')}`], children: [p.input] };
    case 'aggregate':
      return {
        title: p.groupBy.length ? 'HashAggregate' : 'Aggregate',
        details: [...(p.groupBy.length ? [`Group Key: ${p.groupBy.map(expr).join(', ')}`] : []), `Aggregates: ${p.aggs.map((a) => `${a.name}(${a.distinct ? 'DISTINCT ' : ''}${a.args.map(expr).join(', ')})`).join(', ')}`],
        children: [p.input],
      };
    case 'window':
      return { title: 'WindowAgg', details: [`Calls: ${p.calls.map((c) => c.kind).join(', ')}`], children: [p.input] };
    case 'sort':
      return { title: p.limit !== undefined ? `Top-N Sort (limit ${p.limit})` : 'Sort', details: [`Sort Key: ${p.keys.map((k) => `${expr(k.expr)}${k.desc ? ' DESC' : ''}`).join(', ')}`], children: [p.input] };
    case 'limit':
      return { title: 'Limit', details: [], children: [p.input] };
    case 'distinct':
      return { title: p.on ? 'Unique (DISTINCT ON)' : 'HashAggregate (DISTINCT)', details: [], children: [p.input] };
    case 'join': {
      const kind = p.joinType === 'cross' ? 'Nested Loop' : `${p.joinType[0]!.toUpperCase()}${p.joinType.slice(1)} Join`;
      return { title: p.lateralColumns ? `Nested Loop (lateral) ${kind}` : kind, details: p.condition ? [`Join Filter: ${expr(p.condition)}`] : [], children: [p.left, p.right] };
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
  }
}

export function explainPlan(plan: PlanNode): string[] {
  const lines: string[] = [];
  const walk = (p: PlanNode, depth: number) => {
    const d = describe(p);
    const pad = depth === 0 ? '' : `${' '.repeat(depth * 6 - 6)}  ->  `;
    lines.push(`${pad}${d.title}`);
    const detailPad = depth === 0 ? '  ' : ' '.repeat(depth * 6 + 2);
    for (const x of d.details) lines.push(`${detailPad}${x}`);
    for (const c of d.children) walk(c, depth + 1);
  };
  walk(plan, 0);
  return lines;
}
