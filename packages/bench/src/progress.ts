/** Progress lines on stderr (rewritten in place on a TTY, one line per ~5 s otherwise). */
export interface Progress {
  update(done: number): void;
  end(): void;
}

export function progress(label: string, total: number, unit = 'rows'): Progress {
  const tty = process.stderr.isTTY;
  const t0 = performance.now();
  let last = 0;
  const line = (done: number) => {
    const s = (performance.now() - t0) / 1000;
    const pct = total > 0 ? ` ${((100 * done) / total).toFixed(0)}%` : '';
    return `  … ${label}: ${done.toLocaleString()}/${total.toLocaleString()} ${unit}${pct} (${s.toFixed(1)} s)`;
  };
  return {
    update(done) {
      const now = performance.now();
      if (now - last < (tty ? 250 : 5000)) return;
      last = now;
      process.stderr.write(tty ? `\r${line(done)}\x1b[K` : `${line(done)}\n`);
    },
    end() {
      if (tty && last > 0) process.stderr.write('\r\x1b[K');
    },
  };
}

/** Top-level log (stdout), also used for section headers. */
export const log = (s: string): void => void process.stdout.write(`${s}\n`);
