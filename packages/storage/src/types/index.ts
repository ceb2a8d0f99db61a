/** Public API of the SQL type layer: types, values, text I/O, casts, and date/time/numeric functions. */
export * from './sql-type.js';
export * from './values.js';
export * from './numeric.js';
export * from './interval.js';
export * from './calendar.js';
export * from './timezone.js';
export * from './datetime.js';
export * from './json.js';
export * from './array-io.js';
export * from './text-io.js';
export * from './casts.js';
