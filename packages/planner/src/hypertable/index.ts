/** TimescaleDB's SQL API: importing this module registers the procedures. */
import './api-data-nodes.js';
import './api-hypertables.js';
import './api-chunks.js';
import './api-size.js';
import './api-exec.js';
export { findProcedure, procedureNames } from './procedure.js';
export type { Procedure } from './procedure.js';
export { bindProcedure } from './bind-procedure.js';
export { writeRows } from './write.js';
