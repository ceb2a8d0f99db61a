/**
 * Checkpoints: the catalog image and every table/chunk store as Arrow IPC
 * files, under `checkpoint/<LSN>/`, with a manifest holding each file's size and
 * CRC-32C. The WAL from that LSN on holds everything committed later.
 *
 * Crash safety: files are written into `<LSN>.tmp/`, fsynced, the directory is
 * renamed into place, and only then does `CURRENT` (replaced atomically by
 * rename) name it; the log is cut and older checkpoints deleted after that. A
 * crash at any step leaves either the old checkpoint + the whole log, or the new
 * one + the log from its LSN.
 *
 * Incremental: a store's sealed batches are one file each and never change, so each is written
 * by one checkpoint and hard-linked from the previous checkpoint's directory by every later one;
 * a chunk head (append buffer, dictionaries, deletions) is linked when its chunk did not change
 * (store-image.ts). Deleting the old directory once the new one is current leaves the data of
 * linked files in place.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { checksumFields, fileChecksum, fileChecksumMismatch, type FileChecksum } from '../../../../storage/src/wal/checksum.js';
import { nodeWalFs, syncDirectory } from '../../../../storage/src/wal/wal-fs.js';
import { SqlError, SQLSTATE } from '../../../../storage/src/errors.js';
import type { StoreImage, WrittenStoreImage } from '../../../../storage/src/persist/index.js';
import { relocateStoreImage, writeStoreImage } from '../../../../storage/src/persist/index.js';

const FORMAT = 1;

/** A checkpoint file: CRC-32 since segment format 2's switch, CRC-32C in older checkpoints (see checksum.ts). */
export interface CheckpointFile extends FileChecksum {
  name: string;
  bytes: number;
}

export interface CheckpointManifest {
  format: number;
  /** the WAL position the checkpoint covers: replay starts here */
  lsn: number;
  /**
   * Where replay reads from when that is before `lsn`: transactions open at the checkpoint had logged
   * rows ahead there (log-ahead.ts), which their commit records after `lsn` name. Only those parts are
   * read before `lsn`.
   */
  replayFrom?: number;
  createdAt: string;
  catalog: CheckpointFile;
  /** store key → its files, relative to the checkpoint directory */
  stores: Record<string, CheckpointFile[]>;
}

export function checkpointRoot(dataDir: string): string {
  return path.join(dataDir, 'checkpoint');
}

function dirName(lsn: number): string {
  return lsn.toString(16).padStart(16, '0');
}

/** Makes new or removed directory entries durable (the WAL's helper, on the real file system). */
function fsyncDir(dir: string): void {
  syncDirectory(nodeWalFs, dir);
}

/** Where a store's files go inside a checkpoint: tables/, and one folder per data node. */
export function storeFolder(key: string): { folder: string; base: string } {
  if (key.startsWith('t:')) return { folder: 'tables', base: `t${key.slice(2)}` };
  const m = /^c:(.*):(\d+)$/.exec(key);
  if (!m) throw new Error(`unexpected store key ${key}`);
  const node = m[1] === '' ? '_access_node' : m[1]!.replace(/[^A-Za-z0-9_.-]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return { folder: path.join('nodes', node), base: `chunk${m[2]}` };
}

async function writeFileSynced(file: string, data: Uint8Array): Promise<void> {
  const h = await fsp.open(file, 'w');
  try {
    await h.writeFile(data);
    await h.sync();
  } finally {
    await h.close();
  }
}

export interface CheckpointStore {
  key: string;
  image: StoreImage;
  /** The store's image in an earlier checkpoint that still exists: its sealed batches and unchanged chunk heads are linked from it. */
  previous?: WrittenStoreImage;
}

export interface CheckpointContent {
  lsn: number;
  replayFrom?: number;
  catalogImage: string;
  stores: CheckpointStore[];
}

export interface WrittenCheckpoint {
  manifest: CheckpointManifest;
  dir: string;
  /** Bytes of the checkpoint's files, linked ones included. */
  bytes: number;
  files: number;
  /** Store files (sealed batches, unchanged chunk heads) hard-linked from the previous checkpoint, and their bytes. */
  linkedFiles: number;
  linkedBytes: number;
  /** Store key → its image in this checkpoint (in `dir`), for the next checkpoint to link from. */
  images: Map<string, WrittenStoreImage>;
}

/** Writes a checkpoint and makes it current (see the file comment for the order of steps). */
export async function writeCheckpoint(dataDir: string, content: CheckpointContent): Promise<WrittenCheckpoint> {
  const root = checkpointRoot(dataDir);
  await fsp.mkdir(root, { recursive: true });
  const name = dirName(content.lsn);
  const final = path.join(root, name);
  const tmp = `${final}.tmp`;
  await fsp.rm(tmp, { recursive: true, force: true });
  await fsp.mkdir(tmp, { recursive: true });
  const catalogBytes = new TextEncoder().encode(content.catalogImage);
  await writeFileSynced(path.join(tmp, 'catalog.json'), catalogBytes);
  const manifest: CheckpointManifest = {
    format: FORMAT,
    lsn: content.lsn,
    ...(content.replayFrom !== undefined ? { replayFrom: content.replayFrom } : {}),
    createdAt: new Date().toISOString(),
    catalog: { name: 'catalog.json', bytes: catalogBytes.length, ...fileChecksum(catalogBytes) },
    stores: {},
  };
  let bytes = catalogBytes.length;
  let files = 1;
  let linkedFiles = 0;
  let linkedBytes = 0;
  const folders = new Set<string>();
  const images = new Map<string, WrittenStoreImage>();
  for (const { key, image, previous } of content.stores) {
    const { folder, base } = storeFolder(key);
    const dir = path.join(tmp, folder);
    if (!folders.has(folder)) {
      await fsp.mkdir(dir, { recursive: true });
      folders.add(folder);
    }
    const written = await writeStoreImage(image, dir, base, previous);
    manifest.stores[key] = written.files.map((f) => ({ name: path.join(folder, f.name), bytes: f.bytes, ...checksumFields(f) }));
    for (const f of written.files) {
      bytes += f.bytes;
      if (f.linked === true) {
        linkedFiles++;
        linkedBytes += f.bytes;
      }
    }
    files += written.files.length;
    images.set(key, relocateStoreImage(written, path.join(final, folder)));
  }
  await writeFileSynced(path.join(tmp, 'manifest.json'), new TextEncoder().encode(JSON.stringify(manifest, null, 1)));
  // each store folder, and the folders holding them (nodes/ for nodes/<dn>)
  const synced = new Set<string>();
  for (let f of folders) {
    while (f !== '.' && !synced.has(f)) {
      synced.add(f);
      fsyncDir(path.join(tmp, f));
      f = path.dirname(f);
    }
  }
  fsyncDir(tmp);
  await fsp.rm(final, { recursive: true, force: true });
  await fsp.rename(tmp, final);
  fsyncDir(root);
  const current = path.join(dataDir, 'CURRENT');
  await writeFileSynced(`${current}.tmp`, new TextEncoder().encode(`${name}\n`));
  await fsp.rename(`${current}.tmp`, current);
  fsyncDir(dataDir);
  return { manifest, dir: final, bytes, files, linkedFiles, linkedBytes, images };
}

/** Deletes every checkpoint directory but `keep` (also abandoned .tmp ones). */
export async function removeOtherCheckpoints(dataDir: string, keep: string): Promise<void> {
  const root = checkpointRoot(dataDir);
  let names: string[];
  try {
    names = await fsp.readdir(root);
  } catch {
    return;
  }
  for (const n of names) if (n !== keep) await fsp.rm(path.join(root, n), { recursive: true, force: true });
  fsyncDir(root);
}

export interface LoadedCheckpoint {
  manifest: CheckpointManifest;
  dir: string;
  catalogImage: string;
}

function corrupt(file: string, reason: string): SqlError {
  return new SqlError(SQLSTATE.dataCorrupted, `could not read data file "${file}": ${reason}`);
}

/** The current checkpoint, verified (catalog CRC; store files are verified as they are restored), or null when none. */
export function readCurrentCheckpoint(dataDir: string): LoadedCheckpoint | null {
  const current = path.join(dataDir, 'CURRENT');
  if (!fs.existsSync(current)) return null;
  const name = fs.readFileSync(current, 'utf8').trim();
  if (!/^[0-9a-f]{16}$/.test(name)) throw corrupt(current, `it names no checkpoint ("${name.slice(0, 40)}")`);
  const dir = path.join(checkpointRoot(dataDir), name);
  const manifestFile = path.join(dir, 'manifest.json');
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as CheckpointManifest;
  } catch (e) {
    throw corrupt(manifestFile, (e as Error).message);
  }
  if (manifest.format !== FORMAT || typeof manifest.lsn !== 'number') throw corrupt(manifestFile, `unknown manifest format ${String(manifest.format)}`);
  if (manifest.replayFrom !== undefined && (typeof manifest.replayFrom !== 'number' || manifest.replayFrom > manifest.lsn)) {
    throw corrupt(manifestFile, `replay position ${String(manifest.replayFrom)} is not a WAL position before ${manifest.lsn}`);
  }
  const catalogFile = path.join(dir, manifest.catalog.name);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(catalogFile);
  } catch (e) {
    throw corrupt(catalogFile, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file is missing' : (e as Error).message);
  }
  if (bytes.length !== manifest.catalog.bytes) throw corrupt(catalogFile, `size is ${bytes.length} bytes, expected ${manifest.catalog.bytes}`);
  const mismatch = fileChecksumMismatch(bytes, manifest.catalog);
  if (mismatch !== null) throw corrupt(catalogFile, mismatch);
  return { manifest, dir, catalogImage: bytes.toString('utf8') };
}
