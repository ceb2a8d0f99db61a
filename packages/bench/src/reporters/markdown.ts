/** Markdown tables of ingest and query results, with ratios to each peer. */
import type { BenchResult, IngestResult, QueryTypeResult } from '../results.js';

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
const isStrata = (t: string) => t.startsWith('strata') || t.startsWith('embedded');

/** `peers`: targets that are not Strata (postgres-15, peer:…). */
export function peersOf(results: BenchResult[]): string[] {
  return [...new Set(results.filter((r) => r.kind !== 'note' && !isStrata(r.target)).map((r) => r.target))];
}

export function ingestTable(results: BenchResult[]): string {
  const rows = results.filter((r): r is IngestResult => r.kind === 'ingest');
  if (!rows.length) return '';
  const peers = peersOf(results);
  const head = ['scenario', 'target', 'rows', 'rows/s', 'metrics/s', 'peak RSS (MB)', 'bytes/row', ...peers.map((p) => `× ${p}`)];
  const out = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    const ratios = peers.map((p) => {
      const peer = rows.find((x) => x.target === p && x.scenario === r.scenario);
      return peer && isStrata(r.target) ? `${(r.rowsPerSec / peer.rowsPerSec).toFixed(2)}×` : '';
    });
    out.push(`| ${r.scenario} | ${r.target} | ${fmtInt(r.rows)} | ${fmtInt(r.rowsPerSec)} | ${fmtInt(r.metricsPerSec)} | ${r.peakRssBytes !== undefined ? fmtInt(r.peakRssBytes / 2 ** 20) : '–'} | ${r.bytesPerRow !== undefined ? r.bytesPerRow.toFixed(0) : '–'} | ${ratios.join(' | ')} |`);
  }
  return out.join('\n');
}

export function queryTable(results: BenchResult[]): string {
  const qs = results.filter((r): r is QueryTypeResult => r.kind === 'query');
  if (!qs.length) return '';
  const targets = [...new Set(qs.map((q) => q.target))];
  const stratas = targets.filter(isStrata);
  const peers = targets.filter((t) => !isStrata(t));
  const types = [...new Set(qs.map((q) => q.type))];
  const head = ['query', ...targets.flatMap((t) => [`${t} median`, `${t} p95`]), ...peers.flatMap((p) => stratas.map((s) => `${p} ÷ ${s}`))];
  const out = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  const get = (t: string, type: string) => qs.find((q) => q.target === t && q.type === type);
  for (const type of types) {
    const cells = targets.flatMap((t) => {
      const q = get(t, type);
      return q ? [fmtMs(q.medianMs), fmtMs(q.p95Ms)] : ['–', '–'];
    });
    const ratios = peers.flatMap((p) => stratas.map((s) => {
      const a = get(p, type);
      const b = get(s, type);
      return a && b ? `${(a.medianMs / b.medianMs).toFixed(2)}×` : '';
    }));
    out.push(`| ${type} | ${[...cells, ...ratios].join(' | ')} |`);
  }
  return out.join('\n');
}

export function notesList(results: BenchResult[]): string {
  const byText = new Map<string, Set<string>>();
  for (const r of results) {
    const text = r.kind === 'note' ? r.text : r.kind === 'ingest' ? r.note : undefined;
    if (!text) continue;
    let who = byText.get(text);
    if (!who) byText.set(text, (who = new Set()));
    who.add(r.kind === 'note' ? `${r.target} ${r.scenario}` : r.target);
  }
  return [...byText].map(([text, who]) => `- ${[...who].join(', ')}: ${text}`).join('\n');
}
