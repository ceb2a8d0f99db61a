/**
 * Differential check: the corpus's expected output IS PostgreSQL 15's output.
 *
 * Per .slt file (unless `# differential: off`):
 *   "<file> › postgres = corpus"  runs every record on a fresh PostgreSQL database and checks
 *                                  it against the corpus (time_bucket rewritten to date_bin);
 *   "<file> › strata = postgres"  runs the file on a fresh Strata engine and checks that every
 *                                  record gives the same outcome as it did on PostgreSQL
 *                                  (same rows for queries, same SQLSTATE for errors).
 * Without PostgreSQL binaries the suite fails when $CI is set and is skipped (loudly) otherwise.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { findPostgresBinDir, startPostgres, type PostgresServer } from './harness/postgres.js';
import {
  activeRecords,
  checkOutcome,
  compareOutcomes,
  createStrataTarget,
  describeRecord,
  execute,
  listSltFiles,
  loadSlt,
  postgresTarget,
  runsOn,
  strataUnavailable,
  type Outcome,
  type SltFile,
  type SltRecord,
  type SqlTarget,
} from './harness/slt.js';

const binDir = findPostgresBinDir();
const inCI = !!process.env.CI;

if (!binDir) {
  const msg =
    'PostgreSQL binaries not found: the differential SQL corpus check cannot run. ' +
    'Install PostgreSQL 15 (apt-get install postgresql-15) or set STRATA_PG_BINDIR.';
  if (inCI) {
    describe('differential', () => {
      it('needs PostgreSQL binaries', () => {
        throw new Error(msg);
      });
    });
  } else {
    console.warn('\n' + '!'.repeat(100) + `\n!!! SKIPPING test/differential.test.ts: ${msg}\n` + '!'.repeat(100) + '\n');
    describe.skip('differential (PostgreSQL not installed)', () => {
      it('skipped', () => {});
    });
  }
} else {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const files: SltFile[] = [];
  for (const path of listSltFiles()) {
    try {
      files.push(loadSlt(path));
    } catch (e) {
      describe(path, () => {
        it('parses', () => {
          throw e;
        });
      });
    }
  }

  let dbSeq = 0;
  for (const file of files) {
    if (!file.differential) continue;
    describe(file.name, () => {
      const pgOutcomes = new Map<SltRecord, Outcome>();

      describe('postgres = corpus', () => {
        let target: SqlTarget | undefined;
        beforeAll(async () => {
          const db = `slt_${dbSeq++}`;
          await server!.createDatabase(db);
          target = postgresTarget(await server!.connect(db), () => server!.dropDatabase(db));
        });
        afterAll(async () => {
          await target?.close();
        });
        for (const rec of activeRecords(file, 'postgres')) {
          if (!runsOn(rec, 'postgres')) {
            it.skip(describeRecord(rec), () => {});
            continue;
          }
          it(describeRecord(rec), async () => {
            const out = await execute(target!, rec.sql);
            pgOutcomes.set(rec, out);
            const failure = checkOutcome(file, rec, out, 'postgres');
            if (failure) throw new Error(failure);
          });
        }
      });

      describe('strata = postgres', () => {
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
        for (const rec of activeRecords(file, 'strata')) {
          if (!runsOn(rec, 'strata') || !runsOn(rec, 'postgres')) {
            // Not comparable; still executed on Strata (for state) when it runs there.
            if (!runsOn(rec, 'strata')) {
              it.skip(describeRecord(rec), () => {});
            } else {
              it(describeRecord(rec) + ' (strata only, not compared)', async () => {
                if (!target) throw strataUnavailable(startError);
                await execute(target, rec.sql);
              });
            }
            continue;
          }
          it(describeRecord(rec), async () => {
            if (!target) throw strataUnavailable(startError);
            const out = await execute(target, rec.sql);
            const pgOut = pgOutcomes.get(rec);
            if (!pgOut) throw new Error('no PostgreSQL outcome recorded for this record (PostgreSQL half did not run)');
            const failure = compareOutcomes(file, rec, out, pgOut);
            if (failure) throw new Error(failure);
          });
        }
      });
    });
  }
}
