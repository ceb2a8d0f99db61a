/**
 * A small grammar of query pieces for the randomised hypertable-vs-plain property:
 * filters (time ranges on and off chunk boundaries, space-column predicates, value
 * predicates, ORs of them), groupings (hostname, time_bucket, tags_id), aggregates, HAVING,
 * ORDER BY (directions, NULLS FIRST/LAST), LIMIT/OFFSET, DISTINCT ON.
 * Everything is drawn from a seeded mulberry32 stream, so a seed reproduces the case.
 */
import { rng } from '../../packages/bench/src/tsbs-data.js';
import { CPU_FIELDS } from './data.js';
import type { ChunkInterval, TableConfig } from './configs.js';
import type { OrderMode } from './queries.js';

export interface RandomCase {
  seed: number;
  config: TableConfig;
  sql: string;
  order: OrderMode;
}

class Pick {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  one<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  some<T>(xs: readonly T[], lo: number, hi: number): T[] {
    const pool = [...xs];
    const n = Math.min(pool.length, this.int(lo, hi));
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!);
    return out;
  }
}

const CHUNKS: ChunkInterval[] = ['1 hour', '6 hours', '1 day'];

export function randomConfig(p: Pick): TableConfig {
  const chunk = p.one(CHUNKS);
  if (p.chance(0.15)) return p.chance(0.5) ? { kind: 'local', time: 'timestamptz', chunk } : { kind: 'local', time: 'timestamptz', chunk, partitions: p.int(1, 6) };
  const nodes = p.one([1, 2, 3, 5]);
  const partitions = p.one([nodes, 1, 2 * nodes]);
  const rf = nodes >= 2 ? p.one([1, 2]) : 1;
  return { kind: 'distributed', time: 'timestamptz', nodes, partitions, rf, chunk };
}

/** The data range the random queries aim at (the random suite's dataset: 18:00 .. 02:00). */
const T0 = Date.UTC(2016, 0, 1, 18);
const T1 = Date.UTC(2016, 0, 2, 2);

function timeLiteral(p: Pick): string {
  let ms: number;
  switch (p.int(0, 3)) {
    case 0: // an hour boundary (a chunk boundary for every interval used when it is midnight)
      ms = T0 + p.int(-1, 9) * 3600_000;
      break;
    case 1: // on the 10 s grid
      ms = T0 + p.int(0, 2880) * 10_000;
      break;
    case 2: // anywhere, with milliseconds
      ms = T0 + Math.floor(p.next() * (T1 - T0));
      break;
    default: // next to midnight
      ms = Date.UTC(2016, 0, 2) + p.one([-10_000, -1, 0, 1, 10_000]);
  }
  const iso = new Date(ms).toISOString();
  return `'${iso.slice(0, 10)} ${iso.slice(11, 23)}+00'`;
}

const HOSTS = ['host_0', 'host_1', 'host_2', 'host_3', 'host_4', 'host_5', 'host_now', 'nope'];

function atom(p: Pick): string {
  const f = p.one(CPU_FIELDS);
  switch (p.int(0, 11)) {
    case 0:
      return `time >= ${timeLiteral(p)}`;
    case 1:
      return `time < ${timeLiteral(p)}`;
    case 2: {
      const [a, b] = [timeLiteral(p), timeLiteral(p)].sort();
      return `time BETWEEN ${a} AND ${b}`;
    }
    case 3:
      return `time > ${timeLiteral(p)}`;
    case 4: {
      const hs = p.some(HOSTS, 1, 4).map((h) => `'${h}'`);
      if (p.chance(0.2)) hs.push('NULL');
      return `hostname IN (${hs.join(', ')})`;
    }
    case 5:
      return `hostname = '${p.one(HOSTS)}'`;
    case 6:
      return p.one(['hostname IS NULL', 'hostname IS NOT NULL', `hostname <> '${p.one(HOSTS)}'`, `hostname > '${p.one(HOSTS)}'`]);
    case 7:
      return `${f} > ${p.int(0, 100)}`;
    case 8:
      return `${f} IS ${p.chance(0.5) ? '' : 'NOT '}NULL`;
    case 9:
      return `tags_id ${p.one(['<', '>=', '='])} ${p.int(0, 8)}`;
    case 10:
      return `${f} BETWEEN ${p.int(0, 50)} AND ${p.int(50, 100)}`;
    default:
      return `(${atom(p)} OR ${atom(p)})`;
  }
}

function where(p: Pick): string {
  const n = p.int(0, 3);
  const atoms = Array.from({ length: n }, () => atom(p));
  return atoms.length ? ` WHERE ${atoms.join(' AND ')}` : '';
}

function dir(p: Pick): string {
  return `${p.one(['', ' ASC', ' DESC'])}${p.one(['', '', ' NULLS FIRST', ' NULLS LAST'])}`;
}

function limit(p: Pick): string {
  if (!p.chance(0.4)) return '';
  return ` LIMIT ${p.int(0, 40)}${p.chance(0.3) ? ` OFFSET ${p.int(1, 30)}` : ''}`;
}

function aggregateQuery(p: Pick): { sql: string; order: OrderMode } {
  const keys: string[] = [];
  const names: string[] = [];
  const candidates = [
    ['hostname', 'hostname'],
    [`time_bucket('${p.one(['1 minute', '10 minutes', '1 hour', '6 hours', '1 day'])}', time)`, 'b'],
    ['tags_id', 'tags_id'],
  ] as const;
  for (const [expr, name] of p.some(candidates, 0, 2)) {
    keys.push(name === 'b' ? `${expr} AS b` : expr);
    names.push(name);
  }
  const aggs = p.some(
    [
      'count(*)',
      `count(${p.one(CPU_FIELDS)})`,
      `sum(${p.one(CPU_FIELDS)})`,
      `avg(${p.one(CPU_FIELDS)})`,
      `min(${p.one(CPU_FIELDS)})`,
      `max(${p.one(CPU_FIELDS)})`,
      `stddev(${p.one(CPU_FIELDS)})`,
      'min(time)',
      'max(time)',
      'count(DISTINCT hostname)',
      `max(${p.one(CPU_FIELDS)}) - min(${p.one(CPU_FIELDS)})`,
      `percentile_cont(${p.one(['0', '0.25', '0.5', '0.9', '1'])}) WITHIN GROUP (ORDER BY ${p.one(CPU_FIELDS)})`,
      'count(DISTINCT tags_id)',
      'sum(tags_id)',
      `count(*) FILTER (WHERE ${p.one(CPU_FIELDS)} > ${p.int(10, 90)})`,
    ],
    1,
    4,
  );
  let sql = `SELECT ${[...keys, ...aggs].join(', ')} FROM cpu${where(p)}`;
  if (names.length) sql += ` GROUP BY ${names.join(', ')}`;
  if (names.length && p.chance(0.3)) sql += ` HAVING count(*) > ${p.int(1, 2000)}`;
  if (names.length && p.chance(0.2)) {
    // top-N by an exact aggregate, group keys as tie-breakers: a full order
    const agg = p.one(['count(*)', `max(${p.one(CPU_FIELDS)})`, `min(${p.one(CPU_FIELDS)})`, 'max(time)']);
    sql += ` ORDER BY ${agg}${dir(p)}, ${names.map((n) => n + dir(p)).join(', ')} LIMIT ${p.int(1, 15)}${p.chance(0.3) ? ` OFFSET ${p.int(1, 5)}` : ''}`;
    return { sql, order: 'full' };
  }
  if (names.length && p.chance(0.7)) {
    // ORDER BY every group key: a full order
    sql += ` ORDER BY ${p.some(names, names.length, names.length).map((n) => n + dir(p)).join(', ')}${limit(p)}`;
    return { sql, order: 'full' };
  }
  return { sql, order: names.length ? 'none' : 'full' };
}

function rowsQuery(p: Pick): { sql: string; order: OrderMode } {
  const extra = p.some(CPU_FIELDS.slice(1), 0, 2);
  const cols = ['time', 'hostname', 'usage_user', ...extra];
  let sql = `SELECT ${cols.join(', ')} FROM cpu${where(p)}`;
  if (p.chance(0.8)) {
    // (time, hostname, usage_user) is unique in the data (duplicates differ in usage_user)
    const order = p.some(['time', 'hostname', 'usage_user'], 3, 3).map((c) => c + dir(p));
    sql += ` ORDER BY ${order.join(', ')}${limit(p) || ' LIMIT 200'}`;
    return { sql, order: 'full' };
  }
  return { sql, order: 'none' };
}

function distinctOnQuery(p: Pick): { sql: string; order: OrderMode } {
  const d = p.one(['DESC', 'ASC']);
  return {
    sql: `SELECT DISTINCT ON (hostname) hostname, time, usage_user, ${p.one(CPU_FIELDS.slice(1))} FROM cpu${where(p)} ORDER BY hostname${p.one(['', ' DESC'])}, time ${d}, usage_user ${d}`,
    order: 'full',
  };
}

export function randomCase(seed: number): RandomCase {
  const p = new Pick(seed);
  const config = randomConfig(p);
  const r = p.int(0, 9);
  const q = r < 6 ? aggregateQuery(p) : r < 9 ? rowsQuery(p) : distinctOnQuery(p);
  return { seed, config, ...q };
}
