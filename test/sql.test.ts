/**
 * The SQL corpus (test/sql/**\/*.slt) on Strata: one describe per file, one test per record.
 * Each file runs on a fresh engine. Expected outputs are PostgreSQL 15's (see differential.test.ts).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  activeRecords,
  checkOutcome,
  createStrataTarget,
  describeRecord,
  execute,
  listSltFiles,
  loadSlt,
  runsOn,
  strataUnavailable,
  type SqlTarget,
} from './harness/slt.js';

for (const path of listSltFiles()) {
  let file;
  try {
    file = loadSlt(path);
  } catch (e) {
    describe(path, () => {
      it('parses', () => {
        throw e;
      });
    });
    continue;
  }
  const f = file;
  describe(f.name, () => {
    let target: SqlTarget | undefined;
    let startError: unknown;
    beforeAll(async () => {
      try {
        target = await createStrataTarget();
      } catch (e) {
        startError = e;
      }
    });
    afterAll(async () => {
      await target?.close();
    });
    for (const rec of activeRecords(f, 'strata')) {
      if (!runsOn(rec, 'strata')) {
        it.skip(describeRecord(rec), () => {});
        continue;
      }
      it(describeRecord(rec), async () => {
        if (!target) throw strataUnavailable(startError);
        const out = await execute(target, rec.sql);
        const failure = checkOutcome(f, rec, out, 'strata');
        if (failure) throw new Error(failure);
      });
    }
  });
}
