/**
 * Strata's SQL parser: PostgreSQL 15 syntax → the typed AST in ast.ts.
 *
 * Results are cached by query text (LRU). The returned ASTs are therefore SHARED
 * between callers and must be treated as immutable: copy a node before annotating
 * it. Under NODE_ENV=test (vitest) or development they are deep-frozen so that a
 * mutation fails loudly instead of corrupting the next execution of the same text.
 */
import { SqlError } from '../../../storage/src/errors.js';
import type { ParsedStatement, Statement } from './ast.js';
import { splitStatements } from './split.js';
import { tokenize, type Token } from './tokenizer.js';
import { StatementParser } from './utility.js';

export type * from './ast.js';

const CACHE_SIZE = 500;
const cache = new Map<string, readonly ParsedStatement[]>();
// freezing a 10k-row INSERT costs more than parsing it, so only where mutations must be caught
const FREEZE = process.env.NODE_ENV === 'test' || process.env.NODE_ENV === 'development';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Parse a (possibly multi-statement) query string; empty / comment-only input gives []. */
export function parseSql(text: string): ParsedStatement[] {
  const hit = cache.get(text);
  if (hit) {
    // re-insert to mark as most recently used
    cache.delete(text);
    cache.set(text, hit);
    return hit as ParsedStatement[];
  }
  const tokens = tokenize(text);
  const out: ParsedStatement[] = [];
  for (const part of splitStatements(tokens)) {
    const parser = new StatementParser(part.tokens, text, part.offset);
    const statement = parser.parseTopLevel();
    const notices = truncationNotices(part.tokens);
    out.push({ statement, text: text.slice(part.offset, part.end), offset: part.offset, ...(notices ? { notices } : {}) });
  }
  if (FREEZE) deepFreeze(out);
  cache.set(text, out);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return out;
}

/** PostgreSQL's NOTICE (42622) for each identifier the tokenizer truncated. */
function truncationNotices(tokens: readonly Token[]): string[] | undefined {
  let out: string[] | undefined;
  for (const t of tokens) {
    if (t.truncatedFrom !== undefined) (out ??= []).push(`identifier "${t.truncatedFrom}" will be truncated to "${t.value}"`);
  }
  return out;
}

/** Parse exactly one statement (extended-protocol Parse, PREPARE …). */
export function parseOne(text: string): Statement {
  const all = parseSql(text);
  if (all.length === 0) throw new SqlError('42601', 'syntax error at end of input', { position: text.length + 1 });
  if (all.length > 1) throw new SqlError('42601', 'cannot insert multiple commands into a prepared statement');
  return all[0]!.statement;
}

/** For tests and memory pressure. */
export function clearParseCache(): void {
  cache.clear();
}
