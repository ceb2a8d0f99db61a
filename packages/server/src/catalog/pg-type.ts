/** pg_type: every type Strata supports, their array types, and the pseudo-types pg_proc mentions. */
import type { Value } from '../../../storage/src/types/values.js';
import { C, type Columns } from './system-relation.js';
import { C_COLLATION, DEFAULT_COLLATION, PG_CATALOG_NAMESPACE, BOOTSTRAP_SUPERUSER } from './oids.js';

interface TypeRow {
  name: string;
  oid: number;
  len: number;
  byval: boolean;
  category: string;
  preferred: boolean;
  align: string;
  storage: string;
  collation: number;
  array: number;
  type: string;
  input: string;
}

const t = (spec: string): TypeRow[] =>
  spec.trim().split('\n').map((line) => {
    const [name, oid, len, byval, category, preferred, align, storage, coll, array, type, input] = line.trim().split(/\s+/);
    return {
      name: name!,
      oid: Number(oid),
      len: Number(len),
      byval: byval === 't',
      category: category!,
      preferred: preferred === 't',
      align: align!,
      storage: storage!,
      collation: coll === 'd' ? DEFAULT_COLLATION : coll === 'c' ? C_COLLATION : 0,
      array: Number(array),
      type: type!,
      input: input ?? `${name}in`,
    };
  });

// name oid typlen typbyval typcategory typispreferred typalign typstorage collation typarray typtype [typinput]
const BASE = t(`
  bool 16 1 t B t c p - 1000 b boolin
  bytea 17 -1 f U f i x - 1001 b byteain
  char 18 1 t Z f c p - 1002 b charin
  name 19 64 f S f c p c 1003 b namein
  int8 20 8 t N f d p - 1016 b int8in
  int2 21 2 t N f s p - 1005 b int2in
  int2vector 22 -1 f A f i p - 1006 b int2vectorin
  int4 23 4 t N f i p - 1007 b int4in
  regproc 24 4 t N f i p - 1008 b regprocin
  text 25 -1 f S t i x d 1009 b textin
  oid 26 4 t N t i p - 1028 b oidin
  xid 28 4 t U f i p - 1011 b xidin
  oidvector 30 -1 f A f i p - 1013 b oidvectorin
  json 114 -1 f U f i x - 199 b json_in
  pg_node_tree 194 -1 f Z f i x d 0 b pg_node_tree_in
  float4 700 4 t N f i p - 1021 b float4in
  float8 701 8 t N t d p - 1022 b float8in
  unknown 705 -2 f X f c p - 0 p unknownin
  aclitem 1033 12 f U f i p - 1034 b aclitemin
  bpchar 1042 -1 f S f i x d 1014 b bpcharin
  varchar 1043 -1 f S f i x d 1015 b varcharin
  date 1082 4 t D f i p - 1182 b date_in
  time 1083 8 t D f d p - 1183 b time_in
  timestamp 1114 8 t D f d p - 1115 b timestamp_in
  timestamptz 1184 8 t D t d p - 1185 b timestamptz_in
  interval 1186 16 f T t d p - 1187 b interval_in
  numeric 1700 -1 f N f i m - 1231 b numeric_in
  regclass 2205 4 t N f i p - 2210 b regclassin
  regtype 2206 4 t N f i p - 2211 b regtypein
  jsonb 3802 -1 f U f i x - 3807 b jsonb_in
  regnamespace 4089 4 t N f i p - 4090 b regnamespacein
  record 2249 -1 f P f d x - 2287 p record_in
  cstring 2275 -2 f P f c p - 1263 p cstring_in
  any 2276 4 t P f i p - 0 p any_in
  anyarray 2277 -1 f P f d x - 0 p anyarray_in
  void 2278 4 t P f i p - 0 p void_in
  trigger 2279 4 t P f i p - 0 p trigger_in
  anyelement 2283 4 t P f i p - 0 p anyelement_in
  anynonarray 2776 4 t P f i p - 0 p anynonarray_in
  anycompatible 5077 4 t P f i p - 0 p anycompatible_in
  anycompatiblearray 5078 -1 f P f d x - 0 p anycompatiblearray_in
`);

function allTypes(): TypeRow[] {
  const out = [...BASE];
  for (const b of BASE) {
    if (!b.array) continue;
    out.push({ name: `_${b.name}`, oid: b.array, len: -1, byval: false, category: 'A', preferred: false, align: b.align === 'd' ? 'd' : 'i', storage: 'x', collation: b.collation, array: 0, type: 'b', input: 'array_in' });
  }
  return out;
}

const TYPES = allTypes();
const ELEM = new Map<number, number>(BASE.filter((b) => b.array).map((b) => [b.array, b.oid]));
const BY_OID = new Map(TYPES.map((x) => [x.oid, x]));

export function pgTypeName(oid: number): string | undefined {
  return BY_OID.get(oid)?.name;
}

export const PG_TYPE_COLUMNS: Columns = [
  ['oid', C.oid], ['typname', C.name], ['typnamespace', C.oid], ['typowner', C.oid], ['typlen', C.int2], ['typbyval', C.bool],
  ['typtype', C.char], ['typcategory', C.char], ['typispreferred', C.bool], ['typisdefined', C.bool], ['typdelim', C.char],
  ['typrelid', C.oid], ['typsubscript', C.regproc], ['typelem', C.oid], ['typarray', C.oid], ['typinput', C.regproc],
  ['typoutput', C.regproc], ['typreceive', C.regproc], ['typsend', C.regproc], ['typmodin', C.regproc], ['typmodout', C.regproc],
  ['typanalyze', C.regproc], ['typalign', C.char], ['typstorage', C.char], ['typnotnull', C.bool], ['typbasetype', C.oid],
  ['typtypmod', C.int4], ['typndims', C.int4], ['typcollation', C.oid], ['typdefaultbin', C.nodeTree], ['typdefault', C.text],
  ['typacl', C.acl],
];

export function pgTypeRows(): Value[][] {
  return TYPES.map((x) => {
    const elem = x.category === 'A' && x.name.startsWith('_') ? ELEM.get(x.oid) ?? 0 : 0;
    const io = x.input.replace(/in$/, '');
    return [
      x.oid, x.name, PG_CATALOG_NAMESPACE, BOOTSTRAP_SUPERUSER, x.len, x.byval,
      x.type, x.category, x.preferred, true, ',',
      0, elem ? 'array_subscript_handler' : '-', elem, x.array, x.input,
      x.input === 'array_in' ? 'array_out' : x.input.endsWith('_in') ? `${io}out` : `${io}out`,
      x.input === 'array_in' ? 'array_recv' : `${io}recv`, x.input === 'array_in' ? 'array_send' : `${io}send`, '-', '-',
      '-', x.align, x.storage, false, 0,
      -1, 0, x.collation, null, null,
      null,
    ];
  });
}
