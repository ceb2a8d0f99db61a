/**
 * `pnpm start` until the wire server lands: an interactive SQL shell on an
 * embedded in-memory Strata, printing results the way psql does. Reads SQL
 * from stdin (terminal or pipe); `-c "SQL"` runs one command and exits.
 */
import { createInterface } from 'node:readline';
import { Strata } from '../index.js';
import type { QueryResult } from '../index.js';

function printResult(r: QueryResult<unknown[]>, out: (s: string) => void): void {
  for (const n of r.notices) out(`${n.severity}:  ${n.message}`);
  if (r.fields.length === 0) {
    out(r.command === 'INSERT' ? `INSERT 0 ${r.rowCount}` : r.rowCount !== null && ['UPDATE', 'DELETE', 'SELECT'].includes(r.command) ? `${r.command} ${r.rowCount}` : r.command);
    return;
  }
  const headers = r.fields.map((f) => f.name);
  const rows = r.rows.map((row) => row.map((v) => (v === null ? '' : String(v))));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const numeric = r.fields.map((f) => [20, 21, 23, 700, 701, 1700].includes(f.dataTypeID));
  out(` ${headers.map((h, i) => h.padStart(Math.floor((widths[i]! + h.length) / 2)).padEnd(widths[i]!)).join(' | ')}`);
  out(`${widths.map((w) => '-'.repeat(w + 2)).join('+')}`);
  for (const row of rows) out(` ${row.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')}`);
  out(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  out('');
}

async function runSql(db: Strata, sql: string): Promise<boolean> {
  try {
    const results = await db.exec(sql, { rowMode: 'text' });
    for (const r of results) printResult(r as unknown as QueryResult<unknown[]>, (s) => process.stdout.write(`${s}\n`));
    return true;
  } catch (e) {
    const err = e as { message: string; code?: string; detail?: string; hint?: string };
    process.stdout.write(`ERROR:  ${err.message}${err.code ? `  (SQLSTATE ${err.code})` : ''}\n`);
    if (err.detail) process.stdout.write(`DETAIL:  ${err.detail}\n`);
    if (err.hint) process.stdout.write(`HINT:  ${err.hint}\n`);
    return false;
  }
}

async function main(): Promise<void> {
  const db = await Strata.create();
  const args = process.argv.slice(2);
  const ci = args.indexOf('-c');
  if (ci >= 0) {
    const ok = await runSql(db, args[ci + 1] ?? '');
    process.exit(ok ? 0 : 1);
  }
  const interactive = process.stdin.isTTY;
  if (interactive) {
    process.stdout.write('Strata (embedded, in-memory: data is kept in memory only and lost on exit)\n');
    process.stdout.write('Type SQL terminated by ";". \\q quits. Try:\n');
    process.stdout.write("  CREATE TABLE conditions (time timestamptz NOT NULL, hostname text, temp float8);\n");
    process.stdout.write("  INSERT INTO conditions SELECT TIMESTAMPTZ '2026-01-01' + i * INTERVAL '1 minute', 'host_' || (i % 3), 20 + i % 7 FROM generate_series(1, 1000) i;\n");
    process.stdout.write("  SELECT time_bucket('1 hour', time) AS hour, hostname, avg(temp) FROM conditions GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 5;\n\n");
  }
  const rl = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, prompt: 'strata=> ', terminal: interactive });
  let buffer = '';
  if (interactive) rl.prompt();
  let failures = 0;
  for await (const line of rl) {
    if (buffer === '' && /^\s*\\q\s*$/.test(line)) break;
    buffer += `${line}\n`;
    if (/;\s*$/.test(line)) {
      if (!(await runSql(db, buffer))) failures++;
      buffer = '';
    }
    if (interactive) rl.setPrompt(buffer ? 'strata-> ' : 'strata=> ');
    if (interactive) rl.prompt();
  }
  if (buffer.trim()) if (!(await runSql(db, buffer))) failures++;
  await db.close();
  process.exit(interactive ? 0 : failures > 0 ? 1 : 0);
}

void main();
