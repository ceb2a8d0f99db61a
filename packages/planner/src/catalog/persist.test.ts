/**
 * Catalog images at the unit level: exact value round-trips through the tagged
 * JSON, a hand-built catalog with the awkward corners (±Infinity chunk bounds,
 * an unavailable node, replicas on several nodes, dropped columns), the
 * includeChunk filter, the store provider contract, and malformed documents.
 * The SQL-level round trip through a whole engine is test/durability/catalog-image.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../storage/src/errors.js';
import type { ExprNode } from '../../../storage/src/expr/expr.js';
import { DataNode } from '../../../storage/src/node/data-node.js';
import { TableStore, type TableStoreOptions } from '../../../storage/src/table/index.js';
import { Decimal } from '../../../storage/src/types/numeric.js';
import { T, arrayOf, type SqlType } from '../../../storage/src/types/sql-type.js';
import type { Value } from '../../../storage/src/types/values.js';
import type { SelectStmt } from '../parse/ast.js';
import { parseOne } from '../parse/index.js';
import { Catalog, type TableInfo, type UndoAction } from './catalog.js';
import type { ChunkInfo } from './hypertable.js';
import { restoreCatalog, serializeCatalog, storeKeyOfChunk, storeKeyOfTable, storesOf, type StoreKey } from './persist.js';
import { decodeTagged, encodeTagged, parseTagged } from './persist-json.js';

/** Exact equality: -0 ≠ 0, NaN = NaN, numerics by text and display scale, own keys in order. */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Decimal || b instanceof Decimal) {
    return a instanceof Decimal && b instanceof Decimal && a.toString() === b.toString() && a.scale === b.scale;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function roundTrip(v: unknown): unknown {
  return parseTagged(JSON.stringify(encodeTagged(v)));
}

function sqlErrorOf(f: () => unknown): SqlError {
  try {
    f();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('expected an SqlError');
}

const awkwardValues: Value[] = [
  NaN, Infinity, -Infinity, -0, 0, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 5e-324, 1.7976931348623157e308,
  '', '$num', '{"$num":"NaN"}', 'quote " backslash \\ nul \u0000 emoji 😀', true, false, null,
  Decimal.parse('1.500'), Decimal.parse('-0.001'), Decimal.parse('0.00'), Decimal.parse('123456789012345678901234567890.123456789'),
  Decimal.NaN, Decimal.Infinity, Decimal.NegativeInfinity,
  { months: -1, days: 2, micros: -3 }, { months: 0, days: 0, micros: -0 },
  [], [[]], [1, [NaN, [Decimal.parse('2.0'), null, -0]], '{}'], [-Infinity, Infinity],
];

describe('tagged JSON', () => {
  it('the comparator tells apart what JSON would merge', () => {
    expect(same(0, -0)).toBe(false);
    expect(same(Decimal.parse('1.5'), Decimal.parse('1.50'))).toBe(false);
    expect(same({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(same([1, [2]], [1, [2, 3]])).toBe(false);
    expect(same(JSON.parse(JSON.stringify([NaN, -0, Infinity])), [NaN, -0, Infinity])).toBe(false);
  });

  it.each(awkwardValues.map((v, i) => [i, v] as const))('value %i round-trips exactly', (_i, v) => {
    expect(same(roundTrip(v), v)).toBe(true);
  });

  it('keeps the numeric singletons and display scales', () => {
    expect(roundTrip(Decimal.NaN)).toBe(Decimal.NaN);
    expect(roundTrip(Decimal.NegativeInfinity)).toBe(Decimal.NegativeInfinity);
    expect((roundTrip(Decimal.parse('10.000')) as Decimal).scale).toBe(3);
  });

  it('escapes object keys that look like tags, including __proto__', () => {
    const o = JSON.parse('{"$num":"NaN","$$x":1,"__proto__":{"polluted":true},"plain":[-0]}') as object;
    const text = JSON.stringify(encodeTagged(o));
    expect(text).toContain('"$$num"');
    expect(text).toContain('"$$$x"');
    const back = roundTrip(o) as Record<string, unknown>;
    expect(same(back, o)).toBe(true);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves out undefined keys, as JSON does', () => {
    expect(roundTrip({ a: undefined, b: 1 })).toEqual({ b: 1 });
  });

  it.each([
    ['a Map', { m: new Map() }, 'Map'],
    ['a Date', [new Date(0)], 'Date'],
    ['a bigint', { b: 1n }, 'bigint'],
    ['a function', { f: () => 1 }, 'function'],
    ['an array hole', [1, , 3], 'hole'],
    ['undefined in an array', [undefined], 'hole'],
  ])('refuses %s (XX000, with the path)', (_what, v, word) => {
    const e = sqlErrorOf(() => encodeTagged(v));
    expect(e.code).toBe('XX000');
    expect(e.message).toContain(word);
    expect(e.message).toMatch(/at \$/);
  });

  it('refuses cycles but not shared subtrees', () => {
    const shared = { x: 1 };
    expect(roundTrip({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(sqlErrorOf(() => encodeTagged(cyclic)).message).toContain('cycle');
  });

  it.each([
    ['unknown number tag', { $num: 'Nope' }],
    ['numeric tag that is not a string', { $numeric: 1 }],
    ['numeric tag that does not parse', { $numeric: '1.2.3' }],
    ['unknown tag', { $what: 1 }],
  ])('decoding rejects an %s (XX001)', (_what, v) => {
    expect(sqlErrorOf(() => decodeTagged(v)).code).toBe('XX001');
  });
});

// ---- a hand-built catalog --------------------------------------------------

const constant = (type: SqlType, value: Value): ExprNode => ({ k: 'const', type, value });

function rootStore(name: string): TableStore {
  return new TableStore({
    name,
    columns: [
      { id: 1, name: 'time', type: T.int8, notNull: true },
      { id: 2, name: 'dev', type: T.text, notNull: false },
      { id: 4, name: 'vals', type: arrayOf(T.numeric), notNull: false },
    ],
    uniqueKeys: [{ name: `${name}_pkey`, columnIds: [1, 2], primary: true }],
    sealRows: 1024,
    chunkRows: 4096,
  });
}

interface Built {
  catalog: Catalog;
  table: TableInfo;
  chunks: ChunkInfo[];
}

function build(): Built {
  const catalog = new Catalog();
  const undo: UndoAction[] = [];
  catalog.createSchema('app', false, undo);
  for (const name of ['dn1', 'dn2', 'dn3']) {
    catalog.addDataNode({ name, host: `${name}.example`, port: 5433, database: 'db', node: new DataNode(name) }, undo);
  }
  catalog.getDataNode('dn3').node.available = false;
  const table: TableInfo = {
    oid: catalog.allocOid(), kind: 'table', schema: 'app', name: 'metrics',
    columns: [
      { id: 1, name: 'time', type: T.int8, notNull: true, attnum: 1 },
      { id: 2, name: 'dev', type: T.text, notNull: false, attnum: 2, default: constant(T.text, '$num'), defaultText: "'$num'", defaultOid: catalog.allocOid() },
      // attnum 3 / column id 3 were dropped
      {
        id: 4, name: 'vals', type: arrayOf(T.numeric), notNull: false, attnum: 4,
        default: constant(arrayOf(T.numeric), [Decimal.parse('1.500'), Decimal.NaN, null, Decimal.NegativeInfinity]), defaultText: 'expression',
        defaultOid: catalog.allocOid(),
      },
    ],
    constraints: [
      { oid: catalog.allocOid(), name: 'metrics_pkey', kind: 'primary_key', columnIds: [1, 2] },
      {
        oid: catalog.allocOid(), name: 'metrics_check', kind: 'check', columnIds: [],
        check: { k: 'call', type: T.bool, fn: '>(int8,int8)', args: [{ k: 'col', type: T.int8, index: 0 }, constant(T.int8, -0)] },
        checkText: 'expression',
      },
    ],
    nextAttnum: 5, nextColumnId: 5, store: rootStore('metrics'),
  };
  catalog.addTable(table, undo);
  table.hypertable = {
    id: catalog.allocHypertableId(), distributed: true, replicationFactor: 2,
    dimensions: [
      { kind: 'open', id: catalog.allocDimensionId(), columnId: 1, interval: 1000 },
      { kind: 'closed', id: catalog.allocDimensionId(), columnId: 2, numPartitions: 3 },
    ],
    dataNodes: ['dn1', 'dn2', 'dn3'], chunks: [], chunkIndex: new Map(),
  };
  const chunks = [
    catalog.createChunk(table, { timeStart: -Infinity, timeEnd: -1000, spaceIndex: 0, numPartitions: 3, nodes: ['dn1', 'dn2'] }, undo),
    catalog.createChunk(table, { timeStart: 0, timeEnd: 1000, spaceIndex: 2, numPartitions: 3, nodes: ['dn3', 'dn1'] }, undo),
    catalog.createChunk(table, { timeStart: 9000, timeEnd: Infinity, spaceIndex: 1, numPartitions: 3, nodes: ['dn2'] }, undo),
  ];
  // a replica whose store drifted from its sibling (a unique key the other lacks): imaged per node
  chunks[0]!.stores.get('dn2')!.dropUniqueKey(`${chunks[0]!.id}_metrics_pkey`);
  catalog.createSequence('metrics_id_seq', undo);
  catalog.nextval('metrics_id_seq');
  catalog.createSequence('unused_seq', undo);
  const view: TableInfo = {
    oid: catalog.allocOid(), kind: 'view', schema: 'public', name: 'recent',
    columns: [{ id: 1, name: 'time', type: T.int8, notNull: false, attnum: 1 }],
    constraints: [], nextAttnum: 2, nextColumnId: 2,
    view: { query: parseOne('SELECT time FROM app.metrics WHERE time > -1.5e3') as SelectStmt, text: 'SELECT time FROM app.metrics WHERE time > -1.5e3', columnNames: ['time'] },
  };
  catalog.addTable(view, undo);
  catalog.addIndex({ name: 'metrics_dev_idx', oid: catalog.allocOid(), table, columns: ['dev'], unique: false, definition: 'CREATE INDEX metrics_dev_idx ON app.metrics USING btree (dev)' }, 'app', undo);
  return { catalog, table, chunks };
}

/** storeFor that hands back the original stores and records what it was asked for. */
function liveStores(catalog: Catalog): { storeFor: (key: StoreKey, spec: TableStoreOptions) => TableStore; asked: Map<StoreKey, TableStoreOptions> } {
  const stores = storesOf(catalog);
  const asked = new Map<StoreKey, TableStoreOptions>();
  return {
    asked,
    storeFor: (key, spec) => {
      asked.set(key, spec);
      const s = stores.get(key);
      if (!s) throw new Error(`no store ${key}`);
      return s;
    },
  };
}

describe('catalog image of a hand-built catalog', () => {
  it('restores every object, counter and placement', () => {
    const { catalog, table, chunks } = build();
    const doc = serializeCatalog(catalog);
    const { storeFor, asked } = liveStores(catalog);
    const restored = restoreCatalog(doc, storeFor);

    expect(serializeCatalog(restored)).toBe(doc);
    expect([...asked.keys()].sort()).toEqual([...storesOf(catalog).keys()].sort());
    expect(restored.version).toBe(catalog.version);
    expect(restored.listSchemas()).toEqual(catalog.listSchemas());

    const t = restored.getTable('app', 'metrics');
    expect(t).not.toBe(table);
    expect(t.store).toBe(table.store);
    expect(same(t.columns[2]!.default, table.columns[2]!.default)).toBe(true);
    const check = t.constraints[1]!.check!;
    const bound = check.k === 'call' ? check.args[1]! : check;
    expect(bound.k === 'const' && Object.is(bound.value, -0)).toBe(true);

    const ht = t.hypertable!;
    expect(ht.chunks.map((c) => [c.id, c.name, c.timeStart, c.timeEnd, c.spaceIndex, c.numPartitions, c.nodes])).toEqual(
      chunks.map((c) => [c.id, c.name, c.timeStart, c.timeEnd, c.spaceIndex, c.numPartitions, c.nodes]),
    );
    expect(ht.chunkIndex.get(`${-Infinity}/0/3`)).toBe(ht.chunks[0]);
    expect(ht.chunkIndex.get(`0/2/3`)).toBe(ht.chunks[1]);
    expect(ht.chunkIndex.size).toBe(3);
    for (const c of ht.chunks) for (const n of c.nodes) expect(restored.nodeFor(n).chunk(c.id)).toBe(c.stores.get(n));
    expect(restored.getDataNode('dn3').node.available).toBe(false);
    expect(restored.getDataNode('dn3').node).not.toBe(catalog.getDataNode('dn3').node);
    expect(restored.getDataNode('dn1').node.chunkIds().sort()).toEqual([chunks[0]!.id, chunks[1]!.id]);
    expect(restored.getDataNode('dn2').host).toBe('dn2.example');
    expect(restored.localNode.chunkIds()).toEqual([]);

    expect([...restored.sequences.values()]).toEqual([...catalog.sequences.values()]);
    expect(restored.nextval('metrics_id_seq')).toBe(2);
    expect(restored.nextval('unused_seq')).toBe(1);

    const view = restored.getTable(undefined, 'recent');
    expect(view.view).toEqual(catalog.getTable(undefined, 'recent').view);
    expect(restored.findIndex('app', 'metrics_dev_idx')!.table).toBe(t);

    // later allocations continue where the original's would
    for (const c of [catalog, restored]) expect([c.allocOid(), c.allocHypertableId(), c.allocDimensionId()]).toEqual([16_394, 2, 3]);
    const next = (c: Catalog) => c.createChunk(c.getTable('app', 'metrics'), { timeStart: 1000, timeEnd: 2000, spaceIndex: 0, numPartitions: 3, nodes: ['dn1'] }, []).name;
    expect(next(restored)).toBe(next(catalog));
  });

  it('keeps the OIDs of constraints, sequences and column defaults (pg_constraint, pg_class, pg_attrdef)', () => {
    const { catalog, table } = build();
    const restored = restoreCatalog(serializeCatalog(catalog), liveStores(catalog).storeFor);
    const t = restored.getTable('app', 'metrics');
    expect(t.constraints.map((c) => c.oid)).toEqual(table.constraints.map((c) => c.oid));
    expect(t.columns.map((c) => c.defaultOid)).toEqual(table.columns.map((c) => c.defaultOid));
    expect(t.columns.map((c) => c.defaultOid)).toEqual([undefined, expect.any(Number), expect.any(Number)]);
    expect([...restored.sequences.values()].map((s) => s.oid)).toEqual([...catalog.sequences.values()].map((s) => s.oid));
    const oids = [table.oid, ...table.constraints.map((c) => c.oid), table.columns[1]!.defaultOid, ...[...catalog.sequences.values()].map((s) => s.oid)];
    expect(new Set(oids).size).toBe(oids.length);
  });

  it('a version 2 image, without those OIDs, restores with OIDs assigned the same way every time, above all in use', () => {
    const { catalog } = build();
    const image = JSON.parse(serializeCatalog(catalog)) as Record<string, any>;
    image.version = 2;
    for (const t of image.tables) {
      for (const c of t.constraints) delete c.oid;
      for (const c of t.columns) delete c.defaultOid;
    }
    for (const s of image.sequences) delete s.oid;
    const nextOid = image.counters.nextOid as number;
    const old = JSON.stringify(image);
    const { storeFor } = liveStores(catalog);
    const assigned = (c: Catalog) => {
      const t = c.getTable('app', 'metrics');
      return [...t.constraints.map((x) => x.oid), ...t.columns.map((x) => x.defaultOid), ...[...c.sequences.values()].map((s) => s.oid)];
    };
    const first = restoreCatalog(old, storeFor);
    // in reading order: the two sequences, then the table's column defaults (dev, vals) and its two constraints
    expect(assigned(first)).toEqual([nextOid + 4, nextOid + 5, undefined, nextOid + 2, nextOid + 3, nextOid, nextOid + 1]);
    expect(assigned(restoreCatalog(old, storeFor))).toEqual(assigned(first));
    expect(first.allocOid()).toBe(nextOid + 6);
    // imaged again, they are kept from then on
    expect(assigned(restoreCatalog(serializeCatalog(first), storeFor))).toEqual(assigned(first));
  });

  it('images a replica whose store differs from its sibling per node', () => {
    const { catalog, chunks } = build();
    const image = parseTagged(serializeCatalog(catalog)) as { tables: { hypertable?: { chunks: Record<string, unknown>[] } }[] };
    const imaged = image.tables[0]!.hypertable!.chunks;
    expect(imaged[0]!.stores).toHaveLength(2);
    expect(imaged[1]!.stores).toBeUndefined();
    // the usual case is just the batch sizes: name, columns and keys follow from the root store
    expect(imaged[1]!.store).toEqual({ sealRows: 65536, chunkRows: 65536 * 32 });
    const { storeFor, asked } = liveStores(catalog);
    restoreCatalog(serializeCatalog(catalog), storeFor);
    expect(asked.get(storeKeyOfChunk('dn2', chunks[0]!.id))!.uniqueKeys).toEqual([]);
    expect(asked.get(storeKeyOfChunk('dn1', chunks[0]!.id))!.uniqueKeys).toEqual([{ name: `${chunks[0]!.id}_metrics_pkey`, columnIds: [1, 2], primary: true }]);
    expect(asked.get(storeKeyOfChunk('dn1', chunks[1]!.id))!.name).toBe(chunks[1]!.name);
  });

  it('rebuilds from empty stores of the imaged shape', () => {
    const { catalog, table } = build();
    const made: StoreKey[] = [];
    const restored = restoreCatalog(serializeCatalog(catalog), (key, spec) => {
      made.push(key);
      return new TableStore(spec);
    });
    const t = restored.getTable('app', 'metrics');
    expect(t.store).not.toBe(table.store);
    expect(t.store!.columns).toEqual(table.store!.columns);
    expect(t.store!.uniqueKeys).toEqual(table.store!.uniqueKeys);
    expect([t.store!.sealRows, t.store!.chunkRows]).toEqual([1024, 4096]);
    expect(made).toContain(storeKeyOfTable(t));
    expect(made).toHaveLength(storesOf(catalog).size);
  });

  it('includeChunk leaves chunks out of the image, the chunk index and the nodes, but keeps the counters', () => {
    const { catalog, chunks } = build();
    const left = chunks[1]!;
    const doc = serializeCatalog(catalog, { includeChunk: (c) => c !== left });
    const { storeFor, asked } = liveStores(catalog);
    const restored = restoreCatalog(doc, storeFor);
    const ht = restored.getTable('app', 'metrics').hypertable!;
    expect(ht.chunks.map((c) => c.id)).toEqual([chunks[0]!.id, chunks[2]!.id]);
    expect(ht.chunkIndex.get('0/2/3')).toBeUndefined();
    expect(restored.getDataNode('dn3').node.hasChunk(left.id)).toBe(false);
    expect(restored.getDataNode('dn1').node.hasChunk(left.id)).toBe(false);
    expect([...asked.keys()].filter((k) => k.endsWith(`:${left.id}`))).toEqual([]);
    expect(storesOf(catalog, { includeChunk: (c) => c !== left }).size).toBe(storesOf(catalog).size - 2);
    expect(restored.parts().counters).toEqual(catalog.parts().counters);
    // the excluded chunk's slice is free again; its id is not reused
    const again = restored.createChunk(restored.getTable('app', 'metrics'), { timeStart: 0, timeEnd: 1000, spaceIndex: 2, numPartitions: 3, nodes: ['dn1'] }, []);
    expect(again.id).toBe(chunks[2]!.id + 1);
  });

  it('refuses a store of another shape (XX001)', () => {
    const { catalog } = build();
    const doc = serializeCatalog(catalog);
    const e = sqlErrorOf(() => restoreCatalog(doc, (key, spec) => new TableStore(key.startsWith('t:') ? { ...spec, columns: spec.columns.slice(1) } : spec)));
    expect(e.code).toBe('XX001');
    expect(e.message).toMatch(/store supplied for t:\d+/);
  });

  it('refuses to image what it could not restore (XX000)', () => {
    const { catalog, table } = build();
    table.columns[1]!.default = constant(T.text, new Map() as unknown as Value);
    expect(sqlErrorOf(() => serializeCatalog(catalog)).code).toBe('XX000');
  });
});

describe('malformed catalog images', () => {
  const { catalog } = build();
  const doc = serializeCatalog(catalog);
  const stores = storesOf(catalog);
  const restore = (text: string) => restoreCatalog(text, (key) => stores.get(key)!);
  /** the image as JSON, edited by `edit` (loose JSON on purpose: each case pokes one field deep inside) */
  const edited = (edit: (image: Record<string, any>) => void): string => {
    const image = JSON.parse(doc) as Record<string, unknown>;
    edit(image);
    return JSON.stringify(image);
  };

  it('the unedited image restores (so the cases below fail for their edit)', () => {
    expect(() => restore(edited(() => {}))).not.toThrow();
  });

  it.each<[string, () => string, RegExp]>([
    ['empty text', () => '', /not JSON/],
    ['truncated text', () => doc.slice(0, doc.length / 2), /not JSON/],
    ['a JSON array', () => '[]', /\$: expected an object/],
    ['another format', () => edited((i) => (i.format = 'pg_dump')), /not a catalog image/],
    ['a future version', () => edited((i) => (i.version = 4)), /unsupported image version 4/],
    ['missing counters', () => edited((i) => delete i.counters), /\$\.counters: expected an object/],
    ['a string OID', () => edited((i) => (i.tables[0].oid = '16385')), /\$\.tables\[0\]\.oid: expected a number/],
    ['a fractional attnum', () => edited((i) => (i.tables[0].columns[0].attnum = 1.5)), /attnum: expected an integer/],
    ['an unknown type', () => edited((i) => (i.tables[0].columns[0].type.id = 'money')), /unknown type "money"/],
    ['an unknown relkind', () => edited((i) => (i.tables[0].kind = 'matview')), /kind: unexpected "matview"/],
    ['a table in an unknown schema', () => edited((i) => (i.tables[0].schema = 'gone')), /unknown schema "gone"/],
    ['a duplicate table', () => edited((i) => i.tables.push(i.tables[1])), /relation oid .* appears twice/],
    ['an index on a missing table', () => edited((i) => (i.indexes[0].table = 1)), /no relation with oid 1/],
    ['an index named like a table', () => edited((i) => (i.indexes[0].name = 'metrics')), /relation .*metrics.* appears twice/],
    ['a chunk on an unknown node', () => edited((i) => (i.tables[0].hypertable.chunks[1].nodes[0] = 'dn9')), /unknown data node "dn9"/],
    ['two chunks for one slice', () => edited((i) => (i.tables[0].hypertable.chunks[1].spaceIndex = 0, i.tables[0].hypertable.chunks[1].timeStart = i.tables[0].hypertable.chunks[0].timeStart)), /cover the same slice/],
    ['a duplicated chunk id', () => edited((i) => (i.tables[0].hypertable.chunks[2].id = i.tables[0].hypertable.chunks[0].id)), /chunk id \d+ appears twice/],
    ['a counter below ids in use', () => edited((i) => (i.counters.nextOid = 16_385)), /nextOid 16385 is not above the highest OID in use/],
    ['a constraint OID above the counter', () => edited((i) => (i.tables[0].constraints[0].oid = 99_999)), /not above the highest OID in use \(99999\)/],
    ['a constraint without its OID', () => edited((i) => delete i.tables[0].constraints[0].oid), /constraints\[0\]\.oid: expected a number/],
    ['two constraints with one OID', () => edited((i) => (i.tables[0].constraints[1].oid = i.tables[0].constraints[0].oid)), /constraint oid .* appears twice/],
    ['a sequence with a table\'s OID', () => edited((i) => (i.sequences[0].oid = i.tables[0].oid)), /relation oid .* appears twice/],
    ['a default OID on a column without a default', () => edited((i) => (i.tables[0].columns[0].defaultOid = 16_400)), /columns\[0\]\.defaultOid: the column has no default/],
    ['a chunk counter below ids in use', () => edited((i) => (i.counters.nextChunkId = 2)), /nextChunkId/],
    ['a view without a query', () => edited((i) => delete i.tables[1].view.query), /view\.query: expected an object/],
    ['a bad tag in a default', () => edited((i) => (i.tables[0].columns[1].default.value = { $num: 'zero' })), /unknown number tag "zero"/],
    ['a default without a type', () => edited((i) => delete i.tables[0].columns[1].default.type), /default\.type: expected an object/],
  ])('%s → XX001', (_what, text, message) => {
    const e = sqlErrorOf(() => restore(text()));
    expect(e.code).toBe('XX001');
    expect(e.message).toMatch(/^invalid catalog image: /);
    expect(e.message).toMatch(message);
  });
});
