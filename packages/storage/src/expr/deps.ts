/**
 * The expression compiler's only links to the function catalog and the cast
 * module, gathered here so tests can substitute them with one vi.mock.
 */
export { getFunctionImpl } from '../functions/index.js';
export { castValue } from '../types/casts.js';
