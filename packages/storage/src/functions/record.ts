/**
 * Composite values at run time: a record is a `Value[]` of its fields in order
 * (types/values.ts). The binder builds these calls itself (internal ids, no SQL
 * names): ROW(…) and whole-row references construct a record, `(expr).field`
 * selects one field by position (the binder resolves the name).
 */
import type { Value } from '../types/values.js';
import { fn } from './catalog.js';

fn('row_constructor(...any) -> text', (a) => a.slice(), { id: 'row_constructor', strict: false, internal: true });

/** record_field(record, position): strict, so a NULL composite gives a NULL field, as in PostgreSQL. */
fn('record_field(...any) -> text', (a) => (a[0] as Value[])[a[1] as number] ?? null, { id: 'record_field', internal: true });
