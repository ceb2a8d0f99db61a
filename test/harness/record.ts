/**
 * Fills in / rewrites the expected results of .slt files from PostgreSQL (the oracle).
 *
 *   npx tsx test/harness/record.ts test/sql/types/int.slt [more.slt ...]
 *   npx tsx test/harness/record.ts --all          # every differential file under test/sql
 *
 * Per record run on PostgreSQL (records marked `skipif postgres` / `onlyif strata` and
 * everything after a `halt` are kept verbatim):
 *   query            → type letters, `----` and the result rows are (re)written
 *   statement ok     → kept; if PostgreSQL fails it becomes `statement error <SQLSTATE>` (warning)
 *   statement error  → SQLSTATE filled in / corrected; a message substring is kept when it matches
 *   statement count  → the row count is rewritten
 * Files with `# differential: off` are skipped (their expectations are hand-derived).
 * Warnings are printed for anything that needs review; the exit code is 1 if there were any.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startPostgres } from './postgres.js';
import {
  activeRecords,
  execute,
  listSltFiles,
  loadSlt,
  postgresTarget,
  renderRows,
  runsOn,
  typeLetter,
  type QueryRecord,
  type StatementRecord,
} from './slt.js';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const files = args.includes('--all') ? listSltFiles() : args.map((a) => resolve(a));
  if (!files.length) {
    console.error('usage: npx tsx test/harness/record.ts <file.slt>... | --all');
    return 2;
  }
  const server = await startPostgres();
  let warnings = 0;
  try {
    let n = 0;
    for (const path of files) {
      const file = loadSlt(path);
      if (!file.differential) {
        console.log(`skip ${file.name} (# differential: off)`);
        continue;
      }
      const db = `record_${process.pid}_${n++}`;
      await server.createDatabase(db);
      const target = postgresTarget(await server.connect(db), () => server.dropDatabase(db));
      const lines = [...file.lines];
      const replacements: { start: number; end: number; text: string[] }[] = [];
      const warn = (rec: { line: number }, msg: string) => {
        warnings++;
        console.warn(`WARNING ${path}:${rec.line}: ${msg}`);
      };
      try {
        for (const rec of activeRecords(file, 'postgres')) {
          if (!runsOn(rec, 'postgres')) continue;
          const out = await execute(target, rec.sql);
          const sqlLines = file.lines.slice(rec.headerIndex + 1, rec.headerIndex + 1 + rec.sql.split('\n').length);
          let header: string;
          let body: string[] = [];
          if (rec.type === 'statement') {
            header = statementHeader(rec, out, warn);
          } else if (!out.ok) {
            warn(rec, `query failed on PostgreSQL (${out.error.code} ${out.error.message}); recorded as statement error`);
            header = `statement error ${out.error.code ?? ''}`.trimEnd();
          } else {
            header = queryHeader(rec, out.result.typeOids ?? []);
            body = ['----', ...renderRows(out.result.rows, rec.sort)];
          }
          replacements.push({ start: rec.headerIndex, end: rec.endIndex, text: [header, ...sqlLines, ...body] });
        }
      } finally {
        await target.close();
      }
      for (const r of replacements.reverse()) lines.splice(r.start, r.end - r.start, ...r.text);
      const text = lines.join('\n');
      writeFileSync(path, text);
      console.log(`recorded ${file.name}: ${replacements.length} record(s)`);
    }
  } finally {
    await server.stop();
  }
  if (warnings) console.warn(`${warnings} warning(s): review them`);
  return warnings ? 1 : 0;
}

function statementHeader(
  rec: StatementRecord,
  out: Awaited<ReturnType<typeof execute>>,
  warn: (rec: { line: number }, msg: string) => void,
): string {
  if (out.ok) {
    if (rec.expect === 'error') {
      warn(rec, `expected an error but PostgreSQL succeeded (${out.result.command}); kept as is`);
      return headerOf(rec);
    }
    if (rec.expect === 'count') return `statement count ${out.result.rowCount ?? 0}`;
    return 'statement ok';
  }
  const code = out.error.code ?? '';
  if (rec.expect !== 'error') {
    warn(rec, `statement failed on PostgreSQL (${code} ${out.error.message}); recorded as statement error`);
    return `statement error ${code}`.trimEnd();
  }
  if (rec.code && rec.code !== code) warn(rec, `SQLSTATE was ${rec.code}, PostgreSQL says ${code} (${out.error.message}); updated`);
  let msg = rec.message;
  if (msg && !out.error.message.toLowerCase().includes(msg.toLowerCase())) {
    warn(rec, `message "${msg}" not in PostgreSQL's "${out.error.message}"; replaced`);
    msg = out.error.message;
  }
  return `statement error ${code}${msg ? ' ' + msg : ''}`.trimEnd();
}

function headerOf(rec: StatementRecord): string {
  if (rec.expect === 'error') return `statement error${rec.code ? ' ' + rec.code : ''}${rec.message ? ' ' + rec.message : ''}`;
  if (rec.expect === 'count') return `statement count ${rec.count}`;
  return 'statement ok';
}

function queryHeader(rec: QueryRecord, oids: number[]): string {
  const letters = oids.map(typeLetter).join('') || rec.types;
  const parts = ['query', letters];
  if (rec.sort !== 'nosort') parts.push(rec.sort);
  if (rec.label) parts.push(rec.label);
  return parts.filter(Boolean).join(' ');
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
