export { Strata, StrataSession } from './engine/strata.js';
export type { StrataOptions, QueryOptions, QueryResult, RowMode } from './engine/strata.js';
export type { FieldDef } from './engine/results.js';
export { DatabaseError } from './engine/database-error.js';
export { Session } from './engine/session.js';
export { EngineCore } from './engine/core.js';
