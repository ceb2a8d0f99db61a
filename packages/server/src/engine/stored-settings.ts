/**
 * Setting defaults stored in the catalog by ALTER SYSTEM and ALTER DATABASE … SET, and the
 * settings a new session starts with. Precedence, as in PostgreSQL (lowest first): built-in
 * default < ALTER SYSTEM ('configuration file') < the server's settings option ('command line')
 * < ALTER DATABASE ('database') < the client's startup parameters / the embedding API's
 * settings ('client') < SET in the session. RESET returns to the start value.
 *
 * PostgreSQL applies ALTER SYSTEM at the next configuration reload; here a stored default takes
 * effect for sessions started after the change commits, and sessions already running keep theirs.
 * The defaults live in the catalog, so they are in every catalog image: each change leaves an
 * undo action, which makes the commit log an image, and so they survive a crash.
 */
import { SqlError } from '../../../storage/src/errors.js';
import type { Catalog, StoredSetting, UndoAction } from '../../../planner/src/catalog/catalog.js';
import type { AlterSettingStmt } from '../../../planner/src/parse/ast.js';
import type { StatementResult } from '../../../planner/src/statement/session.js';
import { Settings, type StartSource } from './settings.js';

/**
 * The settings of a session starting now on `database`. `client` values must be valid (an
 * invalid one fails the session, as before); a stored default that no longer validates (e.g. a
 * time zone this build does not know) is skipped, like PostgreSQL skipping a bad config line.
 */
export function startSettings(
  catalog: Catalog,
  database: string,
  client?: Readonly<Record<string, string>>,
  commandLine?: Readonly<Record<string, string>>,
): Settings {
  const settings = new Settings();
  applyStored(settings, catalog.listStoredSettings(null), 'configuration file');
  for (const [k, v] of Object.entries(commandLine ?? {})) settings.setStart(k, v, 'command line');
  applyStored(settings, catalog.listStoredSettings(database), 'database');
  for (const [k, v] of Object.entries(client ?? {})) settings.setStart(k, v, 'client');
  return settings;
}

function applyStored(settings: Settings, stored: readonly StoredSetting[], source: StartSource): void {
  for (const x of stored) {
    try {
      settings.setStart(x.name, x.value, source);
    } catch (e) {
      if (!(e instanceof SqlError)) throw e;
    }
  }
}

export interface AlterSettingContext {
  catalog: Catalog;
  /** the running transaction's undo log */
  undo: UndoAction[];
  /** the one database of this engine */
  database: string;
  /** the session's settings: ALTER DATABASE … SET name FROM CURRENT reads them */
  current: Settings;
}

/**
 * The database ALTER DATABASE names: this engine's one database, also under the name
 * "postgres" (the wire server accepts connections to it by that name too).
 */
function resolveDatabase(name: string, database: string): string {
  if (name === database || name === 'postgres') return database;
  throw new SqlError('3D000', `database "${name}" does not exist`);
}

/** Runs ALTER SYSTEM / ALTER DATABASE … SET|RESET inside the caller's transaction. */
export function alterStoredSetting(stmt: AlterSettingStmt, ctx: AlterSettingContext): StatementResult {
  const system = stmt.database === null;
  const scope = system ? null : resolveDatabase(stmt.database!, ctx.database);
  // PostgreSQL 15 refuses placeholders ("class.name") in ALTER SYSTEM, but takes them per database
  const custom = !system;
  const change = stmt.change;
  switch (change.kind) {
    case 'set':
    case 'set_current': {
      const value = change.kind === 'set' ? change.values.join(', ') : ctx.current.get(change.name);
      const { name } = Settings.validate(change.name, value, custom);
      ctx.catalog.setStoredSetting(scope, name, value, ctx.undo);
      break;
    }
    case 'reset':
      Settings.checkName(change.name, custom);
      ctx.catalog.setStoredSetting(scope, Settings.canonical(change.name), undefined, ctx.undo);
      break;
    case 'reset_all':
      for (const x of ctx.catalog.listStoredSettings(scope)) ctx.catalog.setStoredSetting(scope, x.name, undefined, ctx.undo);
      break;
  }
  return { command: system ? 'ALTER SYSTEM' : 'ALTER DATABASE', rowCount: null };
}
