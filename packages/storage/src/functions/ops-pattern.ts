/** LIKE / ILIKE (~~ ~~* and negations), regex match operators, like_escape, similar_to_escape. */
import { fn, op, type ScalarFn } from './catalog.js';
import { compileLike, compileRegex, likeEscape, similarToRegex } from './regex.js';
import { stringPredicate } from './vector-kernels.js';

function likeOp(sym: string, ci: boolean, negate: boolean): void {
  const scalar: ScalarFn = (a) => compileLike(a[1] as string, ci)(a[0] as string) !== negate;
  op(`${sym}(text, text) -> bool`, scalar, {
    // the pattern is almost always a constant: compile once, test each dictionary entry once
    vector: stringPredicate((s, k) => compileLike(k as string, ci)(s) !== negate, scalar),
  });
}
likeOp('~~', false, false);
likeOp('!~~', false, true);
likeOp('~~*', true, false);
likeOp('!~~*', true, true);

function regexOp(sym: string, flags: string, negate: boolean): void {
  const scalar: ScalarFn = (a) => compileRegex(a[1] as string, flags).test(a[0] as string) !== negate;
  op(`${sym}(text, text) -> bool`, scalar, {
    vector: stringPredicate((s, k) => compileRegex(k as string, flags).test(s) !== negate, scalar),
  });
}
regexOp('~', '', false);
regexOp('!~', '', true);
regexOp('~*', 'i', false);
regexOp('!~*', 'i', true);

op('^@(text, text) -> bool', (a) => (a[0] as string).startsWith(a[1] as string));

fn('like_escape(text, text) -> text', (a) => likeEscape(a[0] as string, a[1] as string));
fn('similar_to_escape(text) -> text', (a) => similarToRegex(a[0] as string, null));
fn('similar_to_escape(text, text) -> text', (a) => similarToRegex(a[0] as string, a[1] as string));
fn('like(text, text) -> bool', (a) => compileLike(a[1] as string, false)(a[0] as string));
fn('notlike(text, text) -> bool', (a) => !compileLike(a[1] as string, false)(a[0] as string));
fn('ilike(text, text) -> bool', (a) => compileLike(a[1] as string, true)(a[0] as string));
fn('regexp_like(text, text) -> bool', (a) => compileRegex(a[1] as string).test(a[0] as string));
fn('regexp_like(text, text, text) -> bool', (a) => compileRegex(a[1] as string, a[2] as string).test(a[0] as string));
