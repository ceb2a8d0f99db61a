/**
 * Regenerates hash.fixture.json: (input, PostgreSQL hash) pairs computed by a
 * real PostgreSQL 15, so hash.test.ts checks Strata's hashes without a server.
 *
 * A throwaway server (initdb refuses root, so run it as nobody):
 *   D=$(mktemp -d) && chown nobody $D
 *   runuser -u nobody -- /usr/lib/postgresql/15/bin/initdb -D $D/data -A trust -U postgres
 *   runuser -u nobody -- /usr/lib/postgresql/15/bin/pg_ctl -D $D/data \
 *       -o "-p 54391 -k /tmp -c listen_addresses=''" -l $D/log start
 *   PGHOST=/tmp PGPORT=54391 PGUSER=postgres npx tsx packages/storage/src/partitioning/hash.gen.ts
 *   runuser -u nobody -- /usr/lib/postgresql/15/bin/pg_ctl -D $D/data stop
 *
 * Inputs are generated from a fixed seed, so the fixture only changes when
 * this file does. Every value is sent as text and cast in SQL, so nothing is
 * lost on the way; results come back as text.
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';

/** Each section: [input as text, hash]; the test maps the text to a Strata value. */
export interface HashFixture {
  server: string;
  [section: string]: [string, number][] | string;
}

let seed = 0x2545f491;
function rnd(): number {
  // xorshift32: deterministic, good enough to spread test inputs
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
const pick = <T>(xs: ArrayLike<T>): T => xs[Math.floor(rnd() * xs.length)]!;
const randInt = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

const ALPHABETS = [
  'abcdefghijklmnopqrstuvwxyz0123456789_-',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ ',
  'éüßøåçñ€£', // 2- and 3-byte UTF-8
  '日本語中文한국어', // 3-byte
  '😀🚀𝄞𠜎', // 4-byte (surrogate pairs in JS)
];

function texts(): string[] {
  const out = ['', ' ', 'a', 'host_0', 'host_1', 'host_99', 'host_3999', 'é', '😀', 'a\tb\nc', "it's", '\\', 'x'.repeat(1000)];
  for (let i = 0; i < 100; i++) out.push(`host_${i}`);
  // every ASCII length 0..40 covers every tail branch of hash_bytes and several 12-byte blocks
  for (let len = 0; len <= 40; len++) {
    for (let r = 0; r < 8; r++) {
      let s = '';
      for (let j = 0; j < len; j++) s += pick(ALPHABETS[0]!);
      out.push(s);
    }
  }
  // multi-byte strings: byte lengths land on every tail length too
  for (let i = 0; i < 600; i++) {
    const alphabet = [...pick(ALPHABETS)];
    const len = randInt(1, 20);
    let s = '';
    for (let j = 0; j < len; j++) s += rnd() < 0.5 ? pick(alphabet) : pick(ALPHABETS[0]!);
    out.push(s);
  }
  return out;
}

function ints(lo: number, hi: number, extra: number[]): string[] {
  const out = new Set<string>(extra.map(String));
  for (let x = -300; x <= 300; x++) if (x >= lo && x <= hi) out.add(String(x));
  for (let i = 0; i < 1500; i++) {
    const mag = 2 ** randInt(1, Math.log2(hi + 1));
    out.add(String(Math.max(lo, Math.min(hi, Math.round((rnd() * 2 - 1) * mag)))));
  }
  return [...out];
}

function int8s(): string[] {
  const out = new Set<string>(['0', '1', '-1', '2147483647', '2147483648', '-2147483648', '-2147483649', '4294967295', '4294967296', '-4294967296', '-4294967297', '9007199254740991', '-9007199254740991', '9223372036854775807', '-9223372036854775808', '1600000000000000', '-1600000000000000']);
  for (let i = 0; i < 1500; i++) {
    const bits = randInt(1, 63);
    let v = 0n;
    for (let b = 0; b < bits; b++) v = (v << 1n) | (rnd() < 0.5 ? 1n : 0n);
    out.add(String(rnd() < 0.5 ? -v : v));
  }
  return [...out];
}

function float8s(): string[] {
  const out = ['0', '-0', 'NaN', 'Infinity', '-Infinity', '1', '-1', '0.1', '-0.1', '1e308', '-1e308', '5e-324', '2.2250738585072014e-308', '1.7976931348623157e308', '3.141592653589793', '42', '2147483648', '1e-7'];
  for (let i = 0; i < 1000; i++) {
    const x = (rnd() * 2 - 1) * 10 ** randInt(-30, 30);
    out.push(String(rnd() < 0.2 ? Math.round(x) : x));
  }
  return out;
}

function uuids(): string[] {
  const out = ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'];
  for (let i = 0; i < 300; i++) {
    let h = '';
    for (let j = 0; j < 32; j++) h += '0123456789abcdef'[randInt(0, 15)];
    out.push(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
  }
  return out;
}

function numerics(): string[] {
  const out = ['0', '0.000', '-0', '1', '-1', '1.0', '10000', '10000.0000', '0.0001', '-0.0001', '100000000', '1.5', '-1.5', '123456789.123456789', '0.00000001', '99999999999999999999999', 'NaN', 'Infinity', '-Infinity'];
  for (let i = 0; i < 500; i++) {
    const intDigits = randInt(0, 20);
    const fracDigits = randInt(0, 12);
    let s = rnd() < 0.3 ? '-' : '';
    for (let j = 0; j < intDigits; j++) s += String(randInt(0, 9));
    if (intDigits === 0) s += '0';
    if (fracDigits > 0) {
      s += '.';
      for (let j = 0; j < fracDigits; j++) s += String(rnd() < 0.3 ? 0 : randInt(0, 9));
    }
    out.push(s);
  }
  return out;
}

function unixDays(): string[] {
  const out = ['0', '-1', '10957', '10956', '-10957', '19000', '2932896', '-2440000', 'infinity', '-infinity'];
  for (let i = 0; i < 500; i++) out.push(String(randInt(-1_000_000, 1_000_000)));
  return out;
}

function unixMicros(): string[] {
  const out = ['0', '-1', '946684800000000', '946684799999999', '1600000000000000', '-62135596800000000', 'infinity', '-infinity'];
  for (let i = 0; i < 800; i++) out.push(String(randInt(-4_000_000_000, 8_000_000_000) * 1_000_000 + randInt(0, 999_999)));
  return out;
}

function timeMicros(): string[] {
  const out = ['0', '1', '86399999999', '43200000000'];
  for (let i = 0; i < 300; i++) out.push(String(randInt(0, 86_399_999_999)));
  return out;
}

// [section, inputs, SQL over the text input `v` giving the hash]
const SECTIONS: [string, () => string[], string][] = [
  ['text', texts, 'hashtext(v)'],
  ['bpchar', () => ['', ' ', 'abc', 'abc ', 'abc   ', ' abc', 'a b  ', 'é  ', '日本 ', ...texts().slice(0, 200).map((s, i) => s + ' '.repeat(i % 4))], 'hashbpchar(v::bpchar)'],
  ['name', () => texts().filter((s) => Buffer.byteLength(s) < 64), 'hashname(v::name)'],
  ['int2', () => ints(-32768, 32767, [32767, -32768]), 'hashint2(v::int2)'],
  ['int4', () => ints(-2147483648, 2147483647, [2147483647, -2147483648]), 'hashint4(v::int4)'],
  ['int8', int8s, 'hashint8(v::int8)'],
  ['float8', float8s, 'hashfloat8(v::float8)'],
  ['float4', () => float8s().filter((s) => Math.abs(Number(s)) < 3e38 && (Math.abs(Number(s)) > 1e-37 || Number(s) === 0 || Number.isNaN(Number(s)))).concat(['Infinity', '-Infinity']), 'hashfloat4(v::float4)'],
  ['bool', () => ['true', 'false'], 'hashchar(v::bool::int::"char")'],
  ['date', unixDays, "hashint4((CASE v WHEN 'infinity' THEN 'infinity'::date WHEN '-infinity' THEN '-infinity'::date ELSE '1970-01-01'::date + v::int END)::int4)"],
  ['timestamptz', unixMicros, "timestamp_hash((CASE v WHEN 'infinity' THEN 'infinity'::timestamptz WHEN '-infinity' THEN '-infinity'::timestamptz ELSE 'epoch'::timestamptz + v::int8 * interval '1 microsecond' END)::timestamp)"],
  ['timestamp', unixMicros, "timestamp_hash(CASE v WHEN 'infinity' THEN 'infinity'::timestamp WHEN '-infinity' THEN '-infinity'::timestamp ELSE 'epoch'::timestamp + v::int8 * interval '1 microsecond' END)"],
  ['time', timeMicros, "time_hash('00:00'::time + v::int8 * interval '1 microsecond')"],
  ['uuid', uuids, 'uuid_hash(v::uuid)'],
  ['numeric', numerics, 'hash_numeric(v::numeric)'],
];

async function main(): Promise<void> {
  const client = new pg.Client({ types: { getTypeParser: () => (v: string) => v } });
  await client.connect();
  // date's hash opclass calls hashint4 on the raw DateADT; a binary cast reaches those bits
  // timestamptz's opclass also uses timestamp_hash; in UTC the cast to timestamp keeps the bits
  await client.query("SET TimeZone = 'UTC'");
  await client.query('DROP CAST IF EXISTS (date AS int4)');
  await client.query('CREATE CAST (date AS int4) WITHOUT FUNCTION');
  const fixture: HashFixture = { server: (await client.query('SHOW server_version')).rows[0].server_version };
  for (const [name, gen, expr] of SECTIONS) {
    const inputs = gen();
    const sql = `SELECT v, (${expr})::text AS h FROM unnest($1::text[]) WITH ORDINALITY AS u(v, i) ORDER BY i`;
    const r = await client.query(sql, [inputs]);
    fixture[name] = r.rows.map((row: { v: string; h: string }) => [row.v, Number(row.h)] as [string, number]);
  }
  // float4 inputs as PostgreSQL rounded them, so the test hashes the same float4
  const f4 = fixture.float4 as [string, number][];
  const shown = await client.query('SELECT v::float4::text AS t FROM unnest($1::text[]) WITH ORDINALITY AS u(v, i) ORDER BY i', [f4.map((p) => p[0])]);
  shown.rows.forEach((row: { t: string }, i: number) => (f4[i]![0] = row.t));
  await client.end();
  writeFileSync(new URL('./hash.fixture.json', import.meta.url), JSON.stringify(fixture) + '\n');
  console.log(Object.entries(fixture).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.length : v}`).join(', '));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await main();
