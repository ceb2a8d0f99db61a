/**
 * `pnpm bench [--full] [--rows N] [--hosts N] [--peer URL]… [--no-postgres] [--no-embedded]`
 * `pnpm bench --scaling [--scaling-max 50000000]`
 *
 * Strata against PostgreSQL 15 (throwaway server, when its binaries are
 * installed) and any --peer PostgreSQL-wire endpoint, in the same run: ingest
 * (embedded, multi-row INSERT, prepared INSERT, COPY binary, COPY CSV) and the
 * TSBS cpu-only queries over the wire, plus the embedded aggregate and
 * multi-node sections. Prints Markdown, saves JSON under bench-results/.
 */
import { log } from './progress.js';
import { ingestTable, notesList, queryTable } from './reporters/markdown.js';
import { machineInfo, saveJson } from './reporters/json.js';
import type { BenchResult, IngestResult } from './results.js';
import { copyBinary } from './scenarios/copy-binary.js';
import { copyCsv } from './scenarios/copy-csv.js';
import { runEmbeddedAggregate } from './scenarios/embedded-aggregate.js';
import { runEmbeddedIngest } from './scenarios/embedded-ingest.js';
import { runEmbeddedInterleaved } from './scenarios/embedded-interleaved.js';
import { runEmbeddedMultiNode } from './scenarios/embedded-multinode.js';
import type { IngestMethod } from './scenarios/ingest-method.js';
import { insertMultiRow } from './scenarios/insert-multirow.js';
import { insertPrepared } from './scenarios/insert-prepared.js';
import { runInterleavedIngest } from './scenarios/interleaved-ingest.js';
import { runScaling } from './scenarios/scaling.js';
import { runWireIngest } from './scenarios/wire-ingest.js';
import { runWireQueries } from './scenarios/wire-queries.js';
import { peerTarget, startPostgresTarget, startStrataServer, type Target } from './targets.js';
import { copyPsql, findPsql } from './scenarios/copy-psql.js';
import { TSBS_START_MS } from './tsbs-data.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const arg = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const args = (name: string) => argv.flatMap((a, i) => (a === name && argv[i + 1] ? [argv[i + 1]!] : []));

interface Plan {
  full: boolean;
  /** rows for COPY (and the query table), embedded ingest, aggregate and multinode sections */
  rows: number;
  hosts: number;
  insertRows: number;
  perType: number;
}

function plan(): Plan {
  const full = flag('--full');
  const hosts = Number(arg('--hosts') ?? (full ? 1000 : 40));
  // quick: one TSBS day for `hosts` hosts; full: 10M rows
  const rows = Number(arg('--rows') ?? (full ? 10_000_000 : hosts * 8640));
  return { full, rows, hosts, insertRows: Math.min(rows, full ? 1_000_000 : 20_000), perType: full ? 10 : 3 };
}

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

/** A wire target spec: `fresh` targets are started anew for every ingest method. */
interface TargetSpec {
  start(): Promise<Target | string>;
  fresh: boolean;
  /** ingest only (the queries would measure the same engine again) */
  ingestOnly?: boolean;
}

function targetSpecs(): TargetSpec[] {
  const specs: TargetSpec[] = [
    { start: () => startStrataServer(1), fresh: true },
    { start: () => startStrataServer(3), fresh: true },
    // issue 6: ingest with durability on (WAL, fsync per acknowledged commit) next to the in-memory figures
    { start: () => startStrataServer(3, { durable: true }), fresh: true, ingestOnly: true },
  ];
  if (!flag('--no-postgres')) specs.push({ start: startPostgresTarget, fresh: false });
  for (const url of args('--peer')) specs.push({ start: async () => peerTarget(url), fresh: false });
  return specs;
}

async function runWire(p: Plan, results: BenchResult[]): Promise<void> {
  const methods: [IngestMethod<never>, number][] = [
    [insertMultiRow as IngestMethod<never>, p.insertRows],
    [insertPrepared as IngestMethod<never>, p.insertRows],
    [copyBinary as IngestMethod<never>, Math.min(p.rows, p.full ? p.rows : 200_000)],
    // the issue's headline: psql \copy of a CSV file (skipped with a note where psql is missing)
    ...(findPsql() ? [[copyPsql as IngestMethod<never>, p.rows] as [IngestMethod<never>, number]] : []),
    // last: leaves the full query table loaded
    [copyCsv as IngestMethod<never>, p.rows],
  ];
  for (const spec of targetSpecs()) {
    let target: Target | undefined;
    try {
      for (const [method, rows] of methods) {
        if (!target || spec.fresh) {
          if (target) await target.stop();
          const t = await spec.start();
          if (typeof t === 'string') {
            log(`(skipped a target: ${t})`);
            results.push({ kind: 'note', scenario: 'wire', target: 'postgres', text: `not run: ${t}` });
            return;
          }
          target = t;
        }
        log(`[${elapsed()}] ${target.name}: ${method.label}, ${rows.toLocaleString()} rows`);
        try {
          const { result, schema } = await runWireIngest(target, method, { rows, hosts: p.hosts });
          results.push(result);
          log(`    ${Math.round(result.rowsPerSec).toLocaleString()} rows/s`);
          if (method === (copyCsv as IngestMethod<never>) && !spec.ingestOnly) {
            log(`[${elapsed()}] ${target.name}: TSBS queries (${p.perType} per type) on ${rows.toLocaleString()} rows`);
            const endMs = TSBS_START_MS + Math.ceil(rows / p.hosts) * 10_000;
            results.push(...(await runWireQueries(target, schema, { hosts: p.hosts, startMs: TSBS_START_MS, endMs, perType: p.perType, tableRows: rows })));
          }
        } catch (e) {
          const msg = (e as Error).message.split('\n')[0]!;
          log(`    FAILED: ${msg}`);
          results.push({ kind: 'note', scenario: method.id, target: target.name, text: `failed: ${msg}` });
        }
      }
      // PostgreSQL also into a bare table (no TSBS indexes), as its own column of ratios
      if (target && target.dialect === 'postgres' && findPsql()) {
        const bare: Target = { ...target, name: `${target.name}-bare` };
        log(`[${elapsed()}] ${bare.name}: ${copyPsql.label} into a table without indexes, ${p.rows.toLocaleString()} rows`);
        try {
          const { result } = await runWireIngest(bare, copyPsql as IngestMethod<never>, { rows: p.rows, hosts: p.hosts, indexes: false });
          results.push(result);
          log(`    ${Math.round(result.rowsPerSec).toLocaleString()} rows/s`);
        } catch (e) {
          results.push({ kind: 'note', scenario: copyPsql.id, target: bare.name, text: `failed: ${(e as Error).message.split('\n')[0]!}` });
        }
      }
    } finally {
      if (target) await target.stop();
    }
  }
}

/**
 * Issue 6's comparison of the per-statement paths: in-memory and durable 3-node servers loaded side
 * by side, statement by statement in turn (scenarios/interleaved-ingest.ts), next to the separate
 * runs above, which are minutes apart.
 */
async function runDurableInterleaved(p: Plan, results: BenchResult[]): Promise<void> {
  for (const method of ['insert', 'prepared'] as const) {
    log(`[${elapsed()}] strata-3dn and strata-3dn-durable side by side: ${method === 'insert' ? insertMultiRow.label : insertPrepared.label}, ${p.insertRows.toLocaleString()} rows each`);
    const servers = [{ start: () => startStrataServer(3) }, { start: () => startStrataServer(3, { durable: true }) }];
    await recordDurablePair(`durable-interleaved-${method}`, 'strata-3dn-durable', () => runInterleavedIngest(servers, { rows: p.insertRows, method }), results);
  }
}

/** Runs an in-memory / durable pair side by side and logs the durable one's share; a failure becomes a note. */
async function recordDurablePair(scenario: string, durableTarget: string, run: () => Promise<IngestResult[]>, results: BenchResult[]): Promise<void> {
  try {
    const pair = await run();
    results.push(...pair);
    log(`    ${pair.map((r) => `${r.target} ${Math.round(r.rowsPerSec).toLocaleString()} rows/s`).join(', ')}: durable ${((100 * pair[1]!.rowsPerSec) / pair[0]!.rowsPerSec).toFixed(0)} %`);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!;
    log(`    FAILED: ${msg}`);
    results.push({ kind: 'note', scenario, target: durableTarget, text: `failed: ${msg}` });
  }
}

/**
 * The same comparison for the embedded engine (scenarios/embedded-interleaved.ts): an in-memory and a
 * durable 3-node engine in this process, loaded part by part in turn.
 */
async function runEmbeddedDurableInterleaved(rows: number, hosts: number, results: BenchResult[]): Promise<void> {
  for (const mode of ['arrow', 'rows'] as const) {
    log(`[${elapsed()}] embedded 3 data nodes, in memory and durable side by side, db.insert(${mode})`);
    await recordDurablePair(`embedded-insert-${mode}-interleaved`, 'embedded-3dn-durable', () => runEmbeddedInterleaved({ rows, hosts, dataNodes: 3, mode }), results);
  }
}

async function main(): Promise<void> {
  const m = machineInfo();
  log(`# Strata benchmarks (node ${process.version}, ${m.cpus} × ${m.cpuModel}, ${m.memGiB} GiB)`);
  const results: BenchResult[] = [];
  if (flag('--scaling')) {
    const max = Number(arg('--scaling-max') ?? 10_000_000);
    const sizes = [1_000_000, 10_000_000, 50_000_000].filter((n) => n <= max);
    if (!sizes.includes(max) && max > 1_000_000) sizes.push(max);
    const hosts = Number(arg('--hosts') ?? 1000);
    log(`\n## Scaling: COPY CSV ingest and a 1-hour range query at ${sizes.map((s) => `${s / 1e6}M`).join(', ')} rows (${hosts} hosts)`);
    // Strata on 3 data nodes (fresh server per size), PostgreSQL, peers
    for (const spec of targetSpecs().slice(1).filter((s) => !s.ingestOnly)) {
      const probe = spec.fresh ? undefined : await spec.start();
      if (typeof probe === 'string') {
        log(`(skipped: ${probe})`);
        continue;
      }
      if (probe) await probe.stop();
      results.push(...(await runScaling(async () => {
        const t = await spec.start();
        if (typeof t === 'string') throw new Error(t);
        return t;
      }, sizes, hosts)));
    }
  } else {
    const p = plan();
    log(`mode: ${p.full ? 'full' : 'quick'}; ${p.rows.toLocaleString()} rows (${p.hosts} hosts × 10 s), INSERT scenarios ${p.insertRows.toLocaleString()} rows, ${p.perType} queries per type`);
    const extra: Record<string, unknown> = {};
    if (!flag('--no-embedded')) {
      const embRows = p.full ? p.rows : 200_000;
      extra.aggregate = await runEmbeddedAggregate(embRows, p.full ? 5 : 3);
      extra.multinode = await runEmbeddedMultiNode(embRows, p.full ? 10 : 2);
      log(`\n## Embedded bulk insert (${embRows.toLocaleString()} rows)`);
      // durable on 3 nodes: the issue 6 comparison with the in-memory figure of the same load
      for (const [dataNodes, durable] of [[1, false], [3, false], [3, true]] as const) {
        for (const mode of ['rows', 'arrow'] as const) {
          log(`[${elapsed()}] embedded ${dataNodes} data node(s)${durable ? ', durable' : ''}, db.insert(${mode})`);
          const r = await runEmbeddedIngest({ rows: embRows, hosts: p.hosts, dataNodes, mode, durable });
          log(`    ${Math.round(r.rowsPerSec).toLocaleString()} rows/s`);
          results.push(r);
        }
      }
      await runEmbeddedDurableInterleaved(embRows, p.hosts, results);
    }
    log(`\n## Over the wire (server in its own process; client in this one)`);
    await runWire(p, results);
    await runDurableInterleaved(p, results);
    report(results);
    log(`\nsaved ${saveJson('bench', { plan: p, results, ...extra })}`);
    log(`total ${elapsed()}`);
    return;
  }
  report(results);
  log(`\nsaved ${saveJson('bench-scaling', { results })}`);
  log(`total ${elapsed()}`);
}

function report(results: BenchResult[]): void {
  const ingest = ingestTable(results);
  if (ingest) log(`\n## Ingest\n\n${ingest}`);
  const queries = queryTable(results);
  if (queries) log(`\n## Queries (ms; ratio = peer time ÷ Strata time, > 1 means Strata is faster)\n\n${queries}`);
  const notes = notesList(results);
  if (notes) log(`\nNotes:\n${notes}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
