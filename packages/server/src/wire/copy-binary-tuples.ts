/**
 * COPY FROM binary format: the file header, then tuples of length-prefixed
 * big-endian values, converted straight into the column batch's typed arrays
 * (float8, int2/4/8, timestamps, text codes) or through the type's binary
 * decoder. A tuple cut between CopyData messages waits in the tail.
 *
 * A layer of CopyFromParser (copy-in.ts) over the column batch builder.
 */
import { PG_EPOCH_MICROS, type Value } from '../../../storage/src/types/values.js';
import { decodeBinaryValue } from './copy-convert.js';
import { COLUMN_KINDS, CopyColumnBatchBuilder, type WhereError } from './copy-column-batch.js';
import { toSqlError } from '../engine/database-error.js';

const { K_FLOAT8, K_INT, K_TS, K_NUM, K_TEXT, K_BOOL } = COLUMN_KINDS;

const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export class CopyBinaryTupleParser extends CopyColumnBatchBuilder {
  protected binHeaderDone = false;

  protected writeBinary(chunk: Buffer, final: boolean): void {
    const buf = this.tailBytes ? Buffer.concat([this.tailBytes, chunk]) : chunk;
    let pos = 0;
    const len = buf.length;
    if (!this.binHeaderDone) {
      if (len < 19) {
        if (final) throw this.error('22P04', 'COPY file signature not recognized', 0);
        this.tailBytes = Buffer.from(buf);
        return;
      }
      if (!buf.subarray(0, 11).equals(BINARY_SIGNATURE)) throw this.error('22P04', 'COPY file signature not recognized', 0);
      const flags = buf.readInt32BE(11);
      if (flags & 0x10000) throw this.error('22P04', 'COPY with OIDs is not supported', 0);
      const ext = buf.readInt32BE(15);
      if (ext < 0 || len < 19 + ext) {
        if (final || ext < 0) throw this.error('22P04', 'invalid COPY file header (missing length)', 0);
        this.tailBytes = Buffer.from(buf);
        return;
      }
      pos = 19 + ext;
      this.binHeaderDone = true;
    }
    const nc = this.ncols;
    while (pos + 2 <= len) {
      const nf = buf.readInt16BE(pos);
      if (nf === -1) {
        this.done = true;
        pos = len;
        break;
      }
      if (nf !== nc) throw this.error('22P04', `row field count is ${nf}, expected ${nc}`, this.line + 1);
      let p = pos + 2;
      let complete = true;
      for (let f = 0; f < nf; f++) {
        if (p + 4 > len) {
          complete = false;
          break;
        }
        const l = buf.readInt32BE(p);
        p += 4 + (l > 0 ? l : 0);
        if (p > len) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      this.line++;
      const row = this.n;
      p = pos + 2;
      for (let f = 0; f < nf; f++) {
        const l = buf.readInt32BE(p);
        p += 4;
        if (l < 0) this.setNull(f, row);
        else {
          this.binaryField(buf, p, l, f, row);
          p += l;
        }
      }
      pos = p;
      if (++this.n === this.batchSize) this.flush();
    }
    this.tailBytes = pos < len ? Buffer.from(buf.subarray(pos)) : null;
    if (final && !this.done && this.tailBytes) throw this.error('22P04', 'unexpected EOF in COPY data', this.line + 1);
  }

  /** One binary-format value of column k: typed arrays straight from the bytes, the general decoder otherwise. */
  private binaryField(buf: Buffer, p: number, l: number, k: number, row: number): void {
    const kind = this.kinds[k]!;
    const id = this.columns[k]!.type.id;
    if (kind === K_FLOAT8 && l === 8) {
      this.num[k]![row] = buf.readDoubleBE(p);
      return;
    }
    if (kind === K_INT) {
      if (l === 4 && id === 'int4') return void (this.num[k]![row] = buf.readInt32BE(p));
      if (l === 2 && id === 'int2') return void (this.num[k]![row] = buf.readInt16BE(p));
      if (l === 8 && id === 'int8') {
        const hi = buf.readInt32BE(p);
        if (hi > -0x200000 && hi < 0x200000) return void (this.num[k]![row] = hi * 4294967296 + buf.readUInt32BE(p + 4));
      }
    }
    if (kind === K_TS && l === 8) {
      const hi = buf.readInt32BE(p);
      if (hi > -0x200000 && hi < 0x200000) return void (this.num[k]![row] = hi * 4294967296 + buf.readUInt32BE(p + 4) + PG_EPOCH_MICROS);
    }
    if (kind === K_TEXT) {
      this.codes[k]![row] = this.textField(k, buf, p, p + l);
      return;
    }
    const col = this.columns[k]!;
    let v: Value;
    try {
      v = decodeBinaryValue(col.type, buf.subarray(p, p + l), this.ctx);
    } catch (e) {
      const err: WhereError = toSqlError(e);
      err.where = `COPY ${this.tableName}, line ${this.line}, column ${col.name}`;
      throw err;
    }
    if (kind <= K_NUM) this.num[k]![row] = v as number;
    else if (kind === K_BOOL) this.bools[k]![row] = v ? 1 : 0;
    else this.objs[k]![row] = v;
  }
}
