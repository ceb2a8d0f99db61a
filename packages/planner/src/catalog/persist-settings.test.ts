/** Stored setting defaults (ALTER SYSTEM / ALTER DATABASE … SET) in catalog images. */
import { describe, expect, it } from 'vitest';
import { TableStore } from '../../../storage/src/table/index.js';
import { Catalog, type UndoAction } from './catalog.js';
import { CATALOG_IMAGE_VERSION, restoreCatalog, serializeCatalog } from './persist.js';

const newStore = (_key: string, spec: ConstructorParameters<typeof TableStore>[0]) => new TableStore(spec);

function withSettings(): Catalog {
  const c = new Catalog();
  const undo: UndoAction[] = [];
  c.setStoredSetting(null, 'work_mem', '8MB', undo);
  c.setStoredSetting(null, 'search_path', 'a, public', undo);
  c.setStoredSetting('strata', 'timezone', 'Asia/Tokyo', undo);
  c.setStoredSetting('other', 'timezone', 'UTC', undo);
  return c;
}

describe('stored settings in catalog images', () => {
  it('round-trip per scope, in the order they were set', () => {
    const restored = restoreCatalog(serializeCatalog(withSettings()), newStore);
    expect(restored.listStoredSettings(null)).toEqual([
      { database: null, name: 'work_mem', value: '8MB' },
      { database: null, name: 'search_path', value: 'a, public' },
    ]);
    expect(restored.listStoredSettings('strata')).toEqual([{ database: 'strata', name: 'timezone', value: 'Asia/Tokyo' }]);
    expect(restored.listStoredSettings('other')).toEqual([{ database: 'other', name: 'timezone', value: 'UTC' }]);
    expect(JSON.parse(serializeCatalog(restored)).version).toBe(CATALOG_IMAGE_VERSION);
  });

  it('a version 1 image (written before stored settings existed) loads with none', () => {
    const image = JSON.parse(serializeCatalog(new Catalog()));
    image.version = 1;
    delete image.storedSettings;
    const restored = restoreCatalog(JSON.stringify(image), newStore);
    expect(restored.listStoredSettings(null)).toEqual([]);
    expect(restored.listStoredSettings('strata')).toEqual([]);
  });

  it('malformed entries are XX001', () => {
    const edited = (edit: (i: { storedSettings: unknown[] } & Record<string, unknown>) => void): string => {
      const image = JSON.parse(serializeCatalog(withSettings()));
      edit(image);
      return JSON.stringify(image);
    };
    const cases: [string, string, RegExp][] = [
      ['missing list', edited((i) => delete (i as Record<string, unknown>).storedSettings), /\$\.storedSettings: expected an array/],
      ['a numeric value', edited((i) => ((i.storedSettings[0] as Record<string, unknown>).value = 8)), /storedSettings\[0\]\.value: expected a string/],
      ['a non-canonical name', edited((i) => ((i.storedSettings[0] as Record<string, unknown>).name = 'Work_Mem')), /not a canonical setting name/],
      ['a duplicate', edited((i) => i.storedSettings.push(i.storedSettings[0])), /stored setting .* appears twice/],
      ['a version 0 image', edited((i) => ((i as Record<string, unknown>).version = 0)), /unsupported image version 0/],
    ];
    for (const [what, doc, message] of cases) {
      expect(() => restoreCatalog(doc, newStore), what).toThrow(expect.objectContaining({ code: 'XX001', message: expect.stringMatching(message) }));
    }
  });

  it('ROLLBACK undoes a set, a replacement and a removal, restoring the old entry', () => {
    const c = withSettings();
    const undo: UndoAction[] = [];
    c.setStoredSetting(null, 'work_mem', '16MB', undo);
    c.setStoredSetting(null, 'search_path', undefined, undo);
    c.setStoredSetting('strata', 'datestyle', 'German', undo);
    expect(c.listStoredSettings(null)).toEqual([{ database: null, name: 'work_mem', value: '16MB' }]);
    for (const u of undo.reverse()) u();
    expect(c.listStoredSettings(null).map((x) => [x.name, x.value]).sort()).toEqual([['search_path', 'a, public'], ['work_mem', '8MB']]);
    expect(c.listStoredSettings('strata')).toEqual([{ database: 'strata', name: 'timezone', value: 'Asia/Tokyo' }]);
  });
});
