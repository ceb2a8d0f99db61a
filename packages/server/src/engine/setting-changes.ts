/**
 * Setting changes made inside a transaction, kept or undone at its end the way PostgreSQL's GUC
 * stack does it (guc.c: push_old_value, AtEOXact_GUC):
 *
 * - ROLLBACK (or ROLLBACK TO SAVEPOINT) undoes every SET, SET LOCAL, RESET and SET … TO DEFAULT made
 *   since, returning to the value before the first of them;
 * - COMMIT keeps SET and RESET, ends SET LOCAL: a SET LOCAL after a SET falls back to that SET's
 *   value, a SET after a SET LOCAL wins;
 * - RELEASE SAVEPOINT merges the savepoint's changes into the enclosing level with those same rules.
 *
 * Nesting levels: 1 is the transaction, each open savepoint adds one. Values are the session's own
 * (Settings.sessionValue): undefined means "not SET in this session", i.e. back to the start value.
 */
import type { Settings } from './settings.js';

type EntryState =
  /** SET (or RESET) at this level: commit keeps the current value */
  | 'set'
  /** only SET LOCAL at this level: commit returns to `prior` */
  | 'local'
  /** SET, then SET LOCAL: commit returns to `masked`, the SET's value */
  | 'set_local';

interface Entry {
  level: number;
  state: EntryState;
  /** the value before this level first changed the setting */
  prior: string | undefined;
  masked?: string | undefined;
}

export type SettingAction = 'set' | 'local';

export class SettingChanges {
  /** per canonical setting name, entries by increasing level (at most one per level) */
  private readonly stacks = new Map<string, Entry[]>();
  private level = 1;

  constructor(private readonly settings: Settings) {}

  /** `name` (canonical) just changed from `previous` by a SET (also RESET) or a SET LOCAL. */
  record(name: string, action: SettingAction, previous: string | undefined): void {
    let stack = this.stacks.get(name);
    if (!stack) this.stacks.set(name, (stack = []));
    const top = stack.at(-1);
    if (top && top.level === this.level) {
      if (action === 'set') {
        top.state = 'set';
        top.masked = undefined;
      } else if (top.state === 'set') {
        top.state = 'set_local';
        top.masked = previous;
      }
      return;
    }
    stack.push({ level: this.level, state: action === 'set' ? 'set' : 'local', prior: previous });
  }

  /** SAVEPOINT: later changes belong to a new level. Returns that level. */
  enterLevel(): number {
    return ++this.level;
  }

  /** ROLLBACK TO SAVEPOINT: undo every change made at `level` or deeper; `level` starts afresh. */
  rollbackTo(level: number): void {
    this.undoAbove(level - 1);
    this.level = level;
  }

  /** RELEASE SAVEPOINT: changes at `level` and deeper join level `level - 1`. */
  release(level: number): void {
    while (this.level >= level && this.level > 1) {
      this.mergeDown(this.level);
      this.level--;
    }
  }

  /** Transaction commit: SETs stay, SET LOCALs end. */
  commit(): void {
    this.release(2);
    for (const [name, stack] of this.stacks) {
      const e = stack[0];
      if (!e) continue;
      if (e.state === 'local') this.settings.restore(name, e.prior);
      else if (e.state === 'set_local') this.settings.restore(name, e.masked);
    }
    this.stacks.clear();
  }

  /** Transaction rollback: every change is undone. */
  rollback(): void {
    this.undoAbove(0);
    this.level = 1;
  }

  private undoAbove(level: number): void {
    for (const [name, stack] of this.stacks) {
      const first = stack.findIndex((e) => e.level > level);
      if (first < 0) continue;
      this.settings.restore(name, stack[first]!.prior);
      stack.length = first;
      if (first === 0) this.stacks.delete(name);
    }
  }

  /** AtEOSubXact_GUC on commit: fold the level's entry into the one below it. */
  private mergeDown(level: number): void {
    for (const stack of this.stacks.values()) {
      const e = stack.at(-1);
      if (!e || e.level !== level) continue;
      const below = stack.length > 1 ? stack[stack.length - 2]! : undefined;
      if (!below || below.level < level - 1) {
        e.level = level - 1;
        continue;
      }
      stack.pop();
      if (e.state === 'set') {
        below.state = 'set';
        below.masked = undefined;
      } else if (e.state === 'local') {
        // a SET LOCAL over the enclosing level's SET: commit returns to that SET's value
        if (below.state === 'set') {
          below.state = 'set_local';
          below.masked = e.prior;
        }
      } else {
        below.state = 'set_local';
        below.masked = e.masked;
      }
    }
  }
}
