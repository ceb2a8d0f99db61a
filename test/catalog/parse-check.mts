import fs from 'node:fs';
import { parseSql } from '/work/main/packages/planner/src/parse/index.ts';
const dir = '/work/main/test/catalog/psql-queries';
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
  try { parseSql(fs.readFileSync(`${dir}/${f}`, 'utf8').replaceAll('{{oid}}', '16384')); console.log('ok  ', f); }
  catch (e) { console.log('FAIL', f, (e as Error).message); }
}
