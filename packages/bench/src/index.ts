export { generateCpu, CPU_FIELDS, rng } from './tsbs-data.js';
export { runAggregateBench } from './aggregate-10m.js';
