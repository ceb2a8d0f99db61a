/**
 * Server-wide relations: databases, roles, settings, access methods,
 * extensions, collations, descriptions, sessions — and the empty relations
 * psql's describe queries join (triggers, policies, publications…), which
 * must exist with PostgreSQL's columns even though Strata has none of those objects.
 */
import type { Value } from '../../../storage/src/types/values.js';
import { C, type Columns } from './system-relation.js';
import {
  BOOTSTRAP_SUPERUSER, BTREE_AM, C_COLLATION, DATABASE_OID, DEFAULT_COLLATION, HEAP_AM, PG_CATALOG_NAMESPACE, PG_DATABASE_OWNER,
  PLPGSQL_EXTENSION, POSIX_COLLATION, SYSTEM_RELATION_OIDS, TIMESCALEDB_EXTENSION, UTF8_ENCODING,
} from './oids.js';
import type { CatalogContext, SystemDef } from './relations.js';
import { SETTINGS } from '../engine/settings.js';
import type { Session } from '../engine/session.js';

const def = (name: string, columns: Columns, rows: (ctx: CatalogContext) => Value[][], kind: 'r' | 'v' = 'r'): SystemDef => ({
  schema: 'pg_catalog', name, oid: SYSTEM_RELATION_OIDS[name]!, kind, columns, rows,
});
const empty = (name: string, columns: Columns, kind: 'r' | 'v' = 'r'): SystemDef => def(name, columns, () => [], kind);

export const EXTENSION_DESCRIPTIONS: Record<number, string> = {
  [PLPGSQL_EXTENSION]: 'PL/pgSQL procedural language',
  [TIMESCALEDB_EXTENSION]: 'Enables scalable inserts and complex queries for time-series data (Community Edition)',
};

const pgDatabase = def(
  'pg_database',
  [
    ['oid', C.oid], ['datname', C.name], ['datdba', C.oid], ['encoding', C.int4], ['datlocprovider', C.char], ['datistemplate', C.bool],
    ['datallowconn', C.bool], ['datconnlimit', C.int4], ['datfrozenxid', C.xid], ['datminmxid', C.xid], ['dattablespace', C.oid],
    ['datcollate', C.text], ['datctype', C.text], ['daticulocale', C.text], ['datcollversion', C.text], ['datacl', C.acl],
  ],
  (ctx) => [[DATABASE_OID, ctx.core.database, BOOTSTRAP_SUPERUSER, UTF8_ENCODING, 'c', false, true, -1, 716, 1, 1663, 'C', 'C', null, null, null]],
);

const ROLE_FLAGS = (ctx: CatalogContext) => [
  { oid: BOOTSTRAP_SUPERUSER, name: ctx.core.user, superuser: true, login: true },
  { oid: PG_DATABASE_OWNER, name: 'pg_database_owner', superuser: false, login: false },
];

/** pg_get_userbyid: the engine's one user, and the pseudo-role that owns public. */
export function roleName(ctx: CatalogContext, oid: number): string {
  return ROLE_FLAGS(ctx).find((r) => r.oid === oid)?.name ?? `unknown (OID=${oid})`;
}

const pgRoles = def(
  'pg_roles',
  [
    ['rolname', C.name], ['rolsuper', C.bool], ['rolinherit', C.bool], ['rolcreaterole', C.bool], ['rolcreatedb', C.bool],
    ['rolcanlogin', C.bool], ['rolreplication', C.bool], ['rolconnlimit', C.int4], ['rolpassword', C.text],
    ['rolvaliduntil', C.timestamptz], ['rolbypassrls', C.bool], ['rolconfig', C.textArray], ['oid', C.oid],
  ],
  (ctx) => ROLE_FLAGS(ctx).map((r) => [r.name, r.superuser, true, r.superuser, r.superuser, r.login, r.superuser, -1, '********', null, r.superuser, null, r.oid]),
  'v',
);

const pgAuthid = def(
  'pg_authid',
  [
    ['oid', C.oid], ['rolname', C.name], ['rolsuper', C.bool], ['rolinherit', C.bool], ['rolcreaterole', C.bool], ['rolcreatedb', C.bool],
    ['rolcanlogin', C.bool], ['rolreplication', C.bool], ['rolbypassrls', C.bool], ['rolconnlimit', C.int4], ['rolpassword', C.text],
    ['rolvaliduntil', C.timestamptz],
  ],
  (ctx) => ROLE_FLAGS(ctx).map((r) => [r.oid, r.name, r.superuser, true, r.superuser, r.superuser, r.login, r.superuser, r.superuser, -1, null, null]),
);

const pgUser = def(
  'pg_user',
  [
    ['usename', C.name], ['usesysid', C.oid], ['usecreatedb', C.bool], ['usesuper', C.bool], ['userepl', C.bool], ['usebypassrls', C.bool],
    ['passwd', C.text], ['valuntil', C.timestamptz], ['useconfig', C.textArray],
  ],
  (ctx) => ROLE_FLAGS(ctx).filter((r) => r.login).map((r) => [r.name, r.oid, true, true, true, true, '********', null, null]),
  'v',
);

function vartype(v: string): string {
  if (/^(on|off|true|false)$/i.test(v)) return 'bool';
  if (/^-?\d+$/.test(v)) return 'integer';
  if (/^-?\d+\.\d+$/.test(v)) return 'real';
  return 'string';
}

const pgSettings = def(
  'pg_settings',
  [
    ['name', C.text], ['setting', C.text], ['unit', C.text], ['category', C.text], ['short_desc', C.text], ['extra_desc', C.text],
    ['context', C.text], ['vartype', C.text], ['source', C.text], ['min_val', C.text], ['max_val', C.text], ['enumvals', C.textArray],
    ['boot_val', C.text], ['reset_val', C.text], ['sourcefile', C.text], ['sourceline', C.int4], ['pending_restart', C.bool],
  ],
  (ctx) =>
    ctx.session.settings.all().map(({ name, setting }) => {
      const d = SETTINGS[name.toLowerCase()];
      const boot = d?.default ?? setting;
      const settings = ctx.session.settings;
      // sourcefile/sourceline stay NULL: ALTER SYSTEM values live in the catalog, not in postgresql.auto.conf
      return [
        name, setting, null, d?.readOnly ? 'Preset Options' : 'Client Connection Defaults', name, null,
        d?.readOnly ? 'internal' : 'user', vartype(boot), settings.source(name), null, null, null,
        boot, settings.resetValue(name) ?? boot, null, null, false,
      ];
    }),
  'v',
);

const pgDescription = def('pg_description', [['objoid', C.oid], ['classoid', C.oid], ['objsubid', C.int4], ['description', C.text]], () => [
  [2200, SYSTEM_RELATION_OIDS.pg_namespace!, 0, 'standard public schema'],
  ...Object.entries(EXTENSION_DESCRIPTIONS).map(([oid, text]) => [Number(oid), SYSTEM_RELATION_OIDS.pg_extension!, 0, text]),
]);

const pgAm = def('pg_am', [['oid', C.oid], ['amname', C.name], ['amhandler', C.regproc], ['amtype', C.char]], () => [
  [HEAP_AM, 'heap', 'heap_tableam_handler', 't'],
  [BTREE_AM, 'btree', 'bthandler', 'i'],
  [405, 'hash', 'hashhandler', 'i'],
  [783, 'gist', 'gisthandler', 'i'],
  [2742, 'gin', 'ginhandler', 'i'],
  [3580, 'brin', 'brinhandler', 'i'],
]);

const pgExtension = def(
  'pg_extension',
  [['oid', C.oid], ['extname', C.name], ['extowner', C.oid], ['extnamespace', C.oid], ['extrelocatable', C.bool], ['extversion', C.text], ['extconfig', C.oidArray], ['extcondition', C.textArray]],
  () => [
    [PLPGSQL_EXTENSION, 'plpgsql', BOOTSTRAP_SUPERUSER, PG_CATALOG_NAMESPACE, false, '1.0', null, null],
    [TIMESCALEDB_EXTENSION, 'timescaledb', BOOTSTRAP_SUPERUSER, 2200, false, '2.13.0', null, null],
  ],
);

const pgCollation = def(
  'pg_collation',
  [
    ['oid', C.oid], ['collname', C.name], ['collnamespace', C.oid], ['collowner', C.oid], ['collprovider', C.char], ['collisdeterministic', C.bool],
    ['collencoding', C.int4], ['collcollate', C.text], ['collctype', C.text], ['colliculocale', C.text], ['collversion', C.text],
  ],
  () => [
    [DEFAULT_COLLATION, 'default', PG_CATALOG_NAMESPACE, BOOTSTRAP_SUPERUSER, 'd', true, -1, null, null, null, null],
    [C_COLLATION, 'C', PG_CATALOG_NAMESPACE, BOOTSTRAP_SUPERUSER, 'c', true, -1, 'C', 'C', null, null],
    [POSIX_COLLATION, 'POSIX', PG_CATALOG_NAMESPACE, BOOTSTRAP_SUPERUSER, 'c', true, -1, 'POSIX', 'POSIX', null, null],
  ],
);

const pgTablespace = def('pg_tablespace', [['oid', C.oid], ['spcname', C.name], ['spcowner', C.oid], ['spcacl', C.acl], ['spcoptions', C.textArray]], () => [
  [1663, 'pg_default', BOOTSTRAP_SUPERUSER, null, null],
  [1664, 'pg_global', BOOTSTRAP_SUPERUSER, null, null],
]);

const pgLanguage = def(
  'pg_language',
  [['oid', C.oid], ['lanname', C.name], ['lanowner', C.oid], ['lanispl', C.bool], ['lanpltrusted', C.bool], ['lanplcallfoid', C.oid], ['laninline', C.oid], ['lanvalidator', C.oid], ['lanacl', C.acl]],
  () => [
    [12, 'internal', BOOTSTRAP_SUPERUSER, false, false, 0, 0, 2246, null],
    [13, 'c', BOOTSTRAP_SUPERUSER, false, false, 0, 0, 2247, null],
    [14, 'sql', BOOTSTRAP_SUPERUSER, false, true, 0, 0, 2248, null],
  ],
);

function sessionsOf(ctx: CatalogContext): Session[] {
  return [...new Set<Session>([ctx.session, ...ctx.core.sessions])].filter((s) => !s.closed).sort((a, b) => a.id - b.id);
}

const pgStatActivity = def(
  'pg_stat_activity',
  [
    ['datid', C.oid], ['datname', C.name], ['pid', C.int4], ['leader_pid', C.int4], ['usesysid', C.oid], ['usename', C.name],
    ['application_name', C.text], ['client_addr', C.text], ['client_hostname', C.text], ['client_port', C.int4],
    ['backend_start', C.timestamptz], ['xact_start', C.timestamptz], ['query_start', C.timestamptz], ['state_change', C.timestamptz],
    ['wait_event_type', C.text], ['wait_event', C.text], ['state', C.text], ['backend_xid', C.xid], ['backend_xmin', C.xid],
    ['query_id', C.int8], ['query', C.text], ['backend_type', C.text],
  ],
  (ctx) =>
    sessionsOf(ctx).map((s) => [
      DATABASE_OID, ctx.core.database, s.id, null, BOOTSTRAP_SUPERUSER, ctx.core.user,
      s.settings.tryGet('application_name') ?? '', null, null, -1,
      null, null, null, null,
      null, null, s === ctx.session ? 'active' : s.status === 'I' ? 'idle' : s.status === 'T' ? 'idle in transaction' : 'idle in transaction (aborted)', null, null,
      null, '', 'client backend',
    ]),
  'v',
);

const EMPTY: SystemDef[] = [
  empty('pg_inherits', [['inhrelid', C.oid], ['inhparent', C.oid], ['inhseqno', C.int4], ['inhdetachpending', C.bool]]),
  empty('pg_trigger', [
    ['oid', C.oid], ['tgrelid', C.oid], ['tgparentid', C.oid], ['tgname', C.name], ['tgfoid', C.oid], ['tgtype', C.int2], ['tgenabled', C.char],
    ['tgisinternal', C.bool], ['tgconstrrelid', C.oid], ['tgconstrindid', C.oid], ['tgconstraint', C.oid], ['tgdeferrable', C.bool],
    ['tginitdeferred', C.bool], ['tgnargs', C.int2], ['tgattr', C.int2vector], ['tgargs', C.text], ['tgqual', C.nodeTree], ['tgoldtable', C.name], ['tgnewtable', C.name],
  ]),
  empty('pg_policy', [['oid', C.oid], ['polname', C.name], ['polrelid', C.oid], ['polcmd', C.char], ['polpermissive', C.bool], ['polroles', C.oidArray], ['polqual', C.nodeTree], ['polwithcheck', C.nodeTree]]),
  empty('pg_rewrite', [['oid', C.oid], ['rulename', C.name], ['ev_class', C.oid], ['ev_type', C.char], ['ev_enabled', C.char], ['is_instead', C.bool], ['ev_qual', C.nodeTree], ['ev_action', C.nodeTree]]),
  empty('pg_statistic_ext', [
    ['oid', C.oid], ['stxrelid', C.oid], ['stxname', C.name], ['stxnamespace', C.oid], ['stxowner', C.oid], ['stxstattarget', C.int4],
    ['stxkeys', C.int2vector], ['stxkind', C.charArray], ['stxexprs', C.nodeTree],
  ]),
  empty('pg_publication', [
    ['oid', C.oid], ['pubname', C.name], ['pubowner', C.oid], ['puballtables', C.bool], ['pubinsert', C.bool], ['pubupdate', C.bool],
    ['pubdelete', C.bool], ['pubtruncate', C.bool], ['pubviaroot', C.bool],
  ]),
  empty('pg_publication_rel', [['oid', C.oid], ['prpubid', C.oid], ['prrelid', C.oid], ['prqual', C.nodeTree], ['prattrs', C.int2vector]]),
  empty('pg_publication_namespace', [['oid', C.oid], ['pnpubid', C.oid], ['pnnspid', C.oid]]),
  empty('pg_depend', [['classid', C.oid], ['objid', C.oid], ['objsubid', C.int4], ['refclassid', C.oid], ['refobjid', C.oid], ['refobjsubid', C.int4], ['deptype', C.char]]),
  empty('pg_shdescription', [['objoid', C.oid], ['classoid', C.oid], ['description', C.text]]),
  empty('pg_enum', [['oid', C.oid], ['enumtypid', C.oid], ['enumsortorder', C.float4], ['enumlabel', C.name]]),
  empty('pg_range', [['rngtypid', C.oid], ['rngsubtype', C.oid], ['rngmultitypid', C.oid], ['rngcollation', C.oid], ['rngsubopc', C.oid], ['rngcanonical', C.regproc], ['rngsubdiff', C.regproc]]),
  empty('pg_partitioned_table', [
    ['partrelid', C.oid], ['partstrat', C.char], ['partnatts', C.int2], ['partdefid', C.oid], ['partattrs', C.int2vector],
    ['partclass', C.oidvector], ['partcollation', C.oidvector], ['partexprs', C.nodeTree],
  ]),
  empty('pg_foreign_table', [['ftrelid', C.oid], ['ftserver', C.oid], ['ftoptions', C.textArray]]),
  empty('pg_event_trigger', [['oid', C.oid], ['evtname', C.name], ['evtevent', C.name], ['evtowner', C.oid], ['evtfoid', C.oid], ['evtenabled', C.char], ['evttags', C.textArray]]),
  empty('pg_auth_members', [['oid', C.oid], ['roleid', C.oid], ['member', C.oid], ['grantor', C.oid], ['admin_option', C.bool]]),
  empty('pg_matviews', [['schemaname', C.name], ['matviewname', C.name], ['matviewowner', C.name], ['tablespace', C.name], ['hasindexes', C.bool], ['ispopulated', C.bool], ['definition', C.text]], 'v'),
  empty('pg_locks', [
    ['locktype', C.text], ['database', C.oid], ['relation', C.oid], ['page', C.int4], ['tuple', C.int2], ['virtualxid', C.text],
    ['transactionid', C.xid], ['classid', C.oid], ['objid', C.oid], ['objsubid', C.int2], ['virtualtransaction', C.text], ['pid', C.int4],
    ['mode', C.text], ['granted', C.bool], ['fastpath', C.bool], ['waitstart', C.timestamptz],
  ], 'v'),
];

export const MISC_RELATIONS: readonly SystemDef[] = [
  pgDatabase, pgRoles, pgAuthid, pgUser, pgSettings, pgDescription, pgAm, pgExtension, pgCollation, pgTablespace, pgLanguage, pgStatActivity, ...EMPTY,
];
