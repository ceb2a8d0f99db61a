/** Array functions and operators over one-dimensional arrays with lower bound 1. */
import type { SqlType } from '../types/sql-type.js';
import type { Value } from '../types/values.js';
import { fn, implFor, op } from './catalog.js';
import { compareValues } from './compare.js';

const A = (v: Value): Value[] => v as Value[];

fn('array_length(anyarray, int4) -> int4', (a) => (a[1] === 1 && A(a[0]!).length > 0 ? A(a[0]!).length : null));
fn('cardinality(anyarray) -> int4', (a) => A(a[0]!).length);
fn('array_upper(anyarray, int4) -> int4', (a) => (a[1] === 1 && A(a[0]!).length > 0 ? A(a[0]!).length : null));
fn('array_lower(anyarray, int4) -> int4', (a) => (a[1] === 1 && A(a[0]!).length > 0 ? 1 : null));
fn('array_ndims(anyarray) -> int4', (a) => (A(a[0]!).length > 0 ? 1 : null));
fn('array_dims(anyarray) -> text', (a) => (A(a[0]!).length > 0 ? `[1:${A(a[0]!).length}]` : null));

fn('array_append(anycompatiblearray, anycompatible) -> anycompatiblearray', (a) => [...((a[0] as Value[] | null) ?? []), a[1]!], { strict: false });
fn('array_prepend(anycompatible, anycompatiblearray) -> anycompatiblearray', (a) => [a[0]!, ...((a[1] as Value[] | null) ?? [])], { strict: false });
fn('array_cat(anycompatiblearray, anycompatiblearray) -> anycompatiblearray', (a) => {
  if (a[0] === null) return a[1]!;
  if (a[1] === null) return a[0];
  return [...A(a[0]), ...A(a[1])];
}, { strict: false });

/** IS NOT DISTINCT FROM on elements, which is how array_position and array_remove match. */
function sameElem(x: Value, y: Value, t: SqlType): boolean {
  if (x === null || y === null) return x === y;
  return compareValues(x, y, t) === 0;
}
fn('array_position(anycompatiblearray, anycompatible) -> int4', () => null, {
  strict: false,
  specialize: (types) => ({
    scalar: (a) => {
      if (a[0] === null) return null;
      const i = A(a[0]).findIndex((x) => sameElem(x, a[1]!, types[1]!));
      return i < 0 ? null : i + 1;
    },
  }),
});
fn('array_remove(anycompatiblearray, anycompatible) -> anycompatiblearray', () => null, {
  strict: false,
  specialize: (types) => ({ scalar: (a) => (a[0] === null ? null : A(a[0]).filter((x) => !sameElem(x, a[1]!, types[1]!))) }),
});

// containment and overlap ignore NULL elements, as PostgreSQL's array_contain_compare does
function containsAll(a: Value[], b: Value[], t: SqlType): boolean {
  return b.every((y) => y !== null && a.some((x) => x !== null && compareValues(x, y, t) === 0));
}
op('@>(anyarray, anyarray) -> bool', () => null, {
  specialize: (types) => ({ scalar: (a) => containsAll(A(a[0]!), A(a[1]!), types[0]!.elem!) }),
});
op('<@(anyarray, anyarray) -> bool', () => null, {
  specialize: (types) => ({ scalar: (a) => containsAll(A(a[1]!), A(a[0]!), types[0]!.elem!) }),
});
op('&&(anyarray, anyarray) -> bool', () => null, {
  specialize: (types) => ({
    scalar: (a) => A(a[0]!).some((x) => x !== null && A(a[1]!).some((y) => y !== null && compareValues(x, y, types[0]!.elem!) === 0)),
  }),
});

// nodes the binder builds directly: ARRAY[...] and arr[i] (ids without a signature)
fn('array_constructor(...any) -> text', (a) => a.slice(), { id: 'array_constructor', strict: false, internal: true });
fn('array_subscript(anyarray, int4) -> anyelement', (a) => {
  const i = a[1] as number;
  return Number.isInteger(i) && i >= 1 ? (A(a[0]!)[i - 1] ?? null) : null;
}, { id: 'array_subscript', internal: true });

/**
 * x op ANY/ALL (array) over a non-literal array (planner/src/bind/expr.ts bindQuantifiedArray):
 * args are [x, array, comparison fnId, isAll]. PostgreSQL's NULL semantics: ANY is true when
 * some comparison is true, otherwise NULL when the array is NULL or a comparison was NULL,
 * otherwise false (ALL mirrors it); an empty array gives false for ANY, true for ALL.
 * Multi-dimensional arrays are compared element by element.
 */
fn('quantified_array(...any) -> bool', (a, ctx) => {
  const arr = a[1] as Value[] | null;
  const isAll = a[3] === true;
  if (arr === null) return null;
  if (arr.length === 0) return isAll;
  const x = a[0] ?? null;
  const cmp = implFor(a[2] as string);
  let sawNull = false;
  const visit = (items: Value[]): boolean => {
    for (const el of items) {
      if (Array.isArray(el)) {
        if (visit(el)) return true;
        continue;
      }
      const c = cmp.strict && (x === null || el === null) ? null : cmp.scalar([x, el], ctx);
      if (c === null) sawNull = true;
      else if (c !== isAll) return true;
    }
    return false;
  };
  if (visit(arr)) return !isAll;
  return sawNull ? null : isAll;
}, { id: 'quantified_array', strict: false, internal: true });
