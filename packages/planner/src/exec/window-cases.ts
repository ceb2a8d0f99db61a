/**
 * Window test cases shared by window.test.ts and the fixture generator: each
 * case's SQL runs on PostgreSQL 15 over WINDOW_ROWS (table t(id, p, o, v));
 * window.pg.json holds PostgreSQL's answers (id → value). Regenerate with
 *   PGPORT=… npx tsx packages/planner/src/exec/window-cases.ts > packages/planner/src/exec/window.pg.json
 */
import { T } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import type { WindowCallSpec } from './window-functions.js';
import type { FrameSpec } from './window-frame.js';

export const WINDOW_ROWS: Value[][] = [
  [1, 1, 1, 10], [2, 1, 1, 20], [3, 1, 2, null], [4, 1, 3, 40], [5, 1, null, 50], [6, 1, 5, 60],
  [7, 2, 10, 1], [8, 2, 10, 2], [9, 2, 20, 3], [10, 2, 35, null], [11, null, 7, 100], [12, null, null, null],
  [13, 3, 4, 5], [14, 3, 4, 6], [15, 3, 4, 7], [16, 3, 8, 8], [17, 3, 9, 9], [18, 3, 12, 10], [19, 3, null, 11],
];

const c = (i: number): ExprNode => ({ k: 'col', index: i, type: T.int4 });
const k = (v: number): ExprNode => ({ k: 'const', value: v, type: T.int4 });
const P = c(1), O = c(2), V = c(3);

type Bound = FrameSpec['start'];
const UP: Bound = { kind: 'unbounded_preceding' }, UF: Bound = { kind: 'unbounded_following' }, CR: Bound = { kind: 'current_row' };
const pre = (offset: number): Bound => ({ kind: 'preceding', offset });
const fol = (offset: number): Bound => ({ kind: 'following', offset });
const DEF: FrameSpec = { mode: 'range', start: UP, end: CR };

export interface WindowCase {
  name: string;
  /** window function call and OVER clause as SQL */
  sql: string;
  orderBy?: { expr: ExprNode; desc: boolean; nullsFirst: boolean }[];
  partitioned?: boolean;
  call: Omit<WindowCallSpec, 'type' | 'frame'> & { type?: WindowCallSpec['type']; frame?: FrameSpec };
}

const asc = [{ expr: O, desc: false, nullsFirst: false }];
/** ties broken by id where the result depends on the order among peers */
const byOid = [...asc, { expr: c(0), desc: false, nullsFirst: false }];
const agg = (name: string, args: ExprNode[] = [V]) => ({ kind: 'aggregate' as const, args, agg: { name, type: name === 'avg' ? T.float8 : T.int8 } as never });

export const WINDOW_CASES: WindowCase[] = [
  { name: 'row_number', sql: 'row_number() over (partition by p order by o, id)', orderBy: byOid, call: { kind: 'row_number', args: [], type: T.int8 } },
  { name: 'rank', sql: 'rank() over (partition by p order by o)', call: { kind: 'rank', args: [], type: T.int8 } },
  { name: 'dense_rank', sql: 'dense_rank() over (partition by p order by o)', call: { kind: 'dense_rank', args: [], type: T.int8 } },
  { name: 'percent_rank', sql: 'percent_rank() over (partition by p order by o)', call: { kind: 'percent_rank', args: [], type: T.float8 } },
  { name: 'cume_dist', sql: 'cume_dist() over (partition by p order by o)', call: { kind: 'cume_dist', args: [], type: T.float8 } },
  { name: 'ntile3', sql: 'ntile(3) over (partition by p order by o)', call: { kind: 'ntile', args: [k(3)], type: T.int4 } },
  { name: 'ntile5_all', sql: 'ntile(5) over (order by id)', partitioned: false, orderBy: [{ expr: c(0), desc: false, nullsFirst: false }], call: { kind: 'ntile', args: [k(5)], type: T.int4 } },
  { name: 'lag', sql: 'lag(v) over (partition by p order by o, id)', orderBy: byOid, call: { kind: 'lag', args: [V] } },
  { name: 'lag2_default', sql: 'lag(v, 2, -1) over (partition by p order by o, id)', orderBy: byOid, call: { kind: 'lag', args: [V, k(2), k(-1)] } },
  { name: 'lead', sql: 'lead(v) over (partition by p order by o, id)', orderBy: byOid, call: { kind: 'lead', args: [V] } },
  { name: 'lead_default', sql: 'lead(v, 1, 0) over (partition by p order by o, id)', orderBy: byOid, call: { kind: 'lead', args: [V, k(1), k(0)] } },
  { name: 'lag_neg', sql: 'lag(v, -1) over (partition by p order by o, id)', orderBy: byOid, call: { kind: 'lag', args: [V, k(-1)] } },
  { name: 'first_value', sql: 'first_value(v) over (partition by p order by o, id)', orderBy: byOid, call: { kind: 'first_value', args: [V] } },
  { name: 'last_value_default', sql: 'last_value(v) over (partition by p order by o, id)', orderBy: byOid, call: { kind: 'last_value', args: [V] } },
  { name: 'last_value_all', sql: 'last_value(v) over (partition by p order by o, id rows between unbounded preceding and unbounded following)', orderBy: byOid, call: { kind: 'last_value', args: [V], frame: { mode: 'rows', start: UP, end: UF } } },
  { name: 'nth_value2', sql: 'nth_value(v, 2) over (partition by p order by o, id)', orderBy: byOid, call: { kind: 'nth_value', args: [V, k(2)] } },
  { name: 'nth_value3_rows', sql: 'nth_value(v, 3) over (partition by p order by o, id rows between 1 preceding and 2 following)', orderBy: byOid, call: { kind: 'nth_value', args: [V, k(3)], frame: { mode: 'rows', start: pre(1), end: fol(2) } } },
  { name: 'first_value_excl', sql: 'first_value(v) over (partition by p order by o, id rows between current row and 3 following exclude current row)', orderBy: byOid, call: { kind: 'first_value', args: [V], frame: { mode: 'rows', start: CR, end: fol(3), exclude: 'current row' } } },
  { name: 'sum_running', sql: 'sum(v) over (partition by p order by o)', call: agg('sum') },
  { name: 'sum_rows_running', sql: 'sum(v) over (partition by p order by o, id rows unbounded preceding)', orderBy: byOid, call: { ...agg('sum'), frame: { mode: 'rows', start: UP, end: CR } } },
  { name: 'sum_rows_sliding', sql: 'sum(v) over (partition by p order by o, id rows between 1 preceding and 1 following)', orderBy: byOid, call: { ...agg('sum'), frame: { mode: 'rows', start: pre(1), end: fol(1) } } },
  { name: 'sum_range_offsets', sql: 'sum(v) over (partition by p order by o range between 2 preceding and 2 following)', call: { ...agg('sum'), frame: { mode: 'range', start: pre(2), end: fol(2) } } },
  { name: 'count_range_nullsfirst_desc', sql: 'count(*) over (partition by p order by o desc nulls first range between 5 preceding and current row)', orderBy: [{ expr: O, desc: true, nullsFirst: true }], call: { ...agg('count_star', []), frame: { mode: 'range', start: pre(5), end: CR } } },
  { name: 'sum_range_following_only', sql: 'sum(v) over (partition by p order by o range between 1 following and 10 following)', call: { ...agg('sum'), frame: { mode: 'range', start: fol(1), end: fol(10) } } },
  { name: 'count_groups', sql: 'count(*) over (partition by p order by o groups between 1 preceding and current row)', call: { ...agg('count_star', []), frame: { mode: 'groups', start: pre(1), end: CR } } },
  { name: 'min_groups_excl_group', sql: 'min(v) over (partition by p order by o groups between 1 preceding and 1 following exclude group)', call: { ...agg('min'), frame: { mode: 'groups', start: pre(1), end: fol(1), exclude: 'group' } } },
  { name: 'sum_no_order', sql: 'sum(v) over (partition by p)', orderBy: [], call: agg('sum') },
  { name: 'sum_whole', sql: 'sum(v) over (partition by p order by o rows between unbounded preceding and unbounded following)', call: { ...agg('sum'), frame: { mode: 'rows', start: UP, end: UF } } },
  { name: 'avg_excl_current', sql: 'avg(v) over (partition by p order by o, id rows between current row and unbounded following exclude current row)', orderBy: byOid, call: { ...agg('avg'), frame: { mode: 'rows', start: CR, end: UF, exclude: 'current row' } } },
  { name: 'sum_excl_ties', sql: 'sum(v) over (partition by p order by o range between unbounded preceding and current row exclude ties)', call: { ...agg('sum'), frame: { mode: 'range', start: UP, end: CR, exclude: 'ties' } } },
  { name: 'sum_excl_group', sql: 'sum(v) over (partition by p order by o range unbounded preceding exclude group)', call: { ...agg('sum'), frame: { mode: 'range', start: UP, end: CR, exclude: 'group' } } },
  { name: 'count_rows_preceding', sql: 'count(v) over (partition by p order by o, id rows between 2 preceding and 1 preceding)', orderBy: byOid, call: { ...agg('count'), frame: { mode: 'rows', start: pre(2), end: pre(1) } } },
  { name: 'max_filter', sql: 'max(v) filter (where v > 10) over (partition by p order by o range between current row and unbounded following)', call: { ...agg('max'), filter: { k: 'call', fn: 'gt', args: [V, k(10)], type: T.bool }, frame: { mode: 'range', start: CR, end: UF } } },
  { name: 'sum_running_up_to_following', sql: 'sum(v) over (partition by p order by o, id rows between unbounded preceding and 1 following)', orderBy: byOid, call: { ...agg('sum'), frame: { mode: 'rows', start: UP, end: fol(1) } } },
  { name: 'count_distinct_like_all', sql: 'count(*) over ()', partitioned: false, orderBy: [], call: agg('count_star', []) },
];

export function caseSpec(wc: WindowCase) {
  return {
    partitionBy: wc.partitioned === false ? [] : [P],
    orderBy: wc.orderBy ?? asc,
    calls: [{ type: T.int4, frame: DEF, ...wc.call } as WindowCallSpec],
    inputTypes: [T.int4, T.int4, T.int4, T.int4],
  };
}

// Fixture generator (run with tsx, PGPORT/PGHOST set): prints {case: {id: value}}.
if (typeof process !== 'undefined' && process.argv[1]?.endsWith('window-cases.ts')) {
  const { execFileSync } = await import('node:child_process');
  const values = WINDOW_ROWS.map((r) => `(${r.map((x) => (x === null ? 'null' : x)).join(',')})`).join(',');
  const out: Record<string, Record<string, string | null>> = {};
  for (const wc of WINDOW_CASES) {
    const sql = `select id, (${wc.sql})::text from (values ${values}) t(id,p,o,v) order by id`;
    const text = execFileSync('psql', ['-X', '-A', '-t', '-F', '\t', '-P', 'null=\\N', '-U', 'postgres', '-c', sql], { encoding: 'utf8' });
    const m: Record<string, string | null> = {};
    for (const line of text.trim().split('\n')) {
      const [id, v] = line.split('\t');
      m[id!] = v === '\\N' ? null : v!;
    }
    out[wc.name] = m;
  }
  console.log(JSON.stringify(out, null, 1));
}
