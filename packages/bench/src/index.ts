export { generateCpu, CPU_FIELDS, rng } from './tsbs-data.js';
export { runAggregateBench } from './aggregate-10m.js';
export { TsbsCpuGenerator, TAG_NAMES, type HostTags, type CpuColumns } from './tsbs-data.js';
