/**
 * Split a token stream into statements at semicolons. Strings, comments and dollar
 * quotes are already single tokens, so every ';' token is a statement boundary; a ';'
 * inside parentheses is a syntax error in PostgreSQL too (reported at the ';').
 */
import type { Token } from './tokenizer.js';

export interface StatementTokens {
  /** the statement's tokens followed by an 'eof' token placed at its ';' (or end of text) */
  tokens: Token[];
  /** 0-based offset of the first token in the full text */
  offset: number;
  /** end offset (exclusive) of the last token */
  end: number;
}

export function splitStatements(tokens: Token[]): StatementTokens[] {
  const out: StatementTokens[] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    const isSemi = t.kind === 'punct' && t.value === ';';
    if (!isSemi && t.kind !== 'eof') {
      cur.push(t);
      continue;
    }
    if (cur.length > 0) {
      const last = cur[cur.length - 1]!;
      cur.push({ kind: 'eof', value: '', start: t.start, end: t.start });
      out.push({ tokens: cur, offset: cur[0]!.start, end: last.end });
      cur = [];
    }
  }
  return out;
}
