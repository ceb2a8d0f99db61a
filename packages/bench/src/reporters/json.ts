/** Saves a run as JSON under bench-results/ (relative to the working directory). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export function machineInfo(): Record<string, unknown> {
  return { node: process.version, platform: `${process.platform} ${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30) };
}

export function saveJson(name: string, payload: Record<string, unknown>): string {
  mkdirSync('bench-results', { recursive: true });
  const file = `bench-results/${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), argv: process.argv.slice(2), ...payload }, null, 2));
  return file;
}
