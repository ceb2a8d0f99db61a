/** COPY options (`WITH (FORMAT csv, HEADER, …)` and the legacy spelling) → a checked options object. */
import type { CopyStmt } from '../../../planner/src/parse/ast.js';
import { SqlError, SQLSTATE } from '../../../storage/src/errors.js';

export interface CopyOptions {
  format: 'text' | 'csv' | 'binary';
  delimiter: string;
  null: string;
  header: boolean;
  /** HEADER MATCH: the header line must name the columns */
  headerMatch: boolean;
  quote: string;
  escape: string;
  /** COPY TO csv: columns always quoted ('*' = all) */
  forceQuote: string[] | '*';
  /** COPY FROM csv: a quoted or unquoted null string is not NULL */
  forceNotNull: string[];
  /** COPY FROM csv: a quoted null string is NULL too */
  forceNull: string[];
}

function boolOption(name: string, v: string | undefined): boolean {
  if (v === undefined) return true;
  const x = v.toLowerCase();
  if (['true', 'on', '1', 'yes'].includes(x)) return true;
  if (['false', 'off', '0', 'no'].includes(x)) return false;
  throw new SqlError(SQLSTATE.invalidParameterValue, `${name} requires a Boolean value`);
}

export function copyOptions(stmt: CopyStmt): CopyOptions {
  const seen = new Set<string>();
  let format: CopyOptions['format'] = 'text';
  let delimiter: string | undefined;
  let nullStr: string | undefined;
  let header = false;
  let headerMatch = false;
  let quote: string | undefined;
  let escape: string | undefined;
  let forceQuote: CopyOptions['forceQuote'] = [];
  let forceNotNull: string[] = [];
  let forceNull: string[] = [];
  const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const o of stmt.options) {
    const name = o.name.toLowerCase();
    if (seen.has(name)) throw new SqlError(SQLSTATE.syntaxError, 'conflicting or redundant options');
    seen.add(name);
    switch (name) {
      case 'format': {
        const f = (o.value ?? '').toLowerCase();
        if (f !== 'text' && f !== 'csv' && f !== 'binary') throw new SqlError(SQLSTATE.invalidParameterValue, `COPY format "${o.value}" not recognized`);
        format = f;
        break;
      }
      case 'csv':
        format = 'csv';
        break;
      case 'binary':
        format = 'binary';
        break;
      case 'delimiter':
        delimiter = o.value ?? '';
        break;
      case 'null':
        nullStr = o.value ?? '';
        break;
      case 'header':
        if ((o.value ?? '').toLowerCase() === 'match') header = headerMatch = true;
        else header = boolOption('header', o.value);
        break;
      case 'quote':
        quote = o.value ?? '';
        break;
      case 'escape':
        escape = o.value ?? '';
        break;
      case 'force_quote':
        forceQuote = o.value === '*' ? '*' : list(o.value);
        break;
      case 'force_not_null':
        forceNotNull = list(o.value);
        break;
      case 'force_null':
        forceNull = list(o.value);
        break;
      case 'encoding': {
        const e = (o.value ?? '').toUpperCase().replace('-', '');
        if (e !== 'UTF8' && e !== 'UNICODE' && e !== 'SQL_ASCII') throw new SqlError(SQLSTATE.featureNotSupported, `COPY encoding ${o.value} is not supported (only UTF8)`);
        break;
      }
      case 'freeze':
      case 'oids':
        break;
      default:
        throw new SqlError(SQLSTATE.syntaxError, `option "${o.name}" not recognized`);
    }
  }
  if (format === 'binary' && (delimiter !== undefined || nullStr !== undefined)) {
    throw new SqlError(SQLSTATE.syntaxError, `cannot specify ${delimiter !== undefined ? 'DELIMITER' : 'NULL'} in BINARY mode`);
  }
  if (format !== 'csv' && (quote !== undefined || escape !== undefined)) throw new SqlError(SQLSTATE.featureNotSupported, `COPY ${quote !== undefined ? 'quote' : 'escape'} available only in CSV mode`);
  if (format !== 'csv' && (forceQuote === '*' || forceQuote.length || forceNotNull.length || forceNull.length)) {
    throw new SqlError(SQLSTATE.featureNotSupported, 'COPY force options available only in CSV mode');
  }
  if (format === 'binary' && header) throw new SqlError(SQLSTATE.featureNotSupported, 'cannot specify HEADER in BINARY mode');
  const d = delimiter ?? (format === 'csv' ? ',' : '\t');
  if (Buffer.byteLength(d) !== 1) throw new SqlError(SQLSTATE.featureNotSupported, 'COPY delimiter must be a single one-byte character');
  if (d === '\r' || d === '\n') throw new SqlError(SQLSTATE.invalidParameterValue, 'COPY delimiter cannot be newline or carriage return');
  const q = quote ?? '"';
  const esc = escape ?? q;
  if (format === 'csv') {
    if (Buffer.byteLength(q) !== 1) throw new SqlError(SQLSTATE.featureNotSupported, 'COPY quote must be a single one-byte character');
    if (Buffer.byteLength(esc) !== 1) throw new SqlError(SQLSTATE.featureNotSupported, 'COPY escape must be a single one-byte character');
    if (q === d) throw new SqlError(SQLSTATE.invalidParameterValue, 'COPY delimiter and quote must be different');
  }
  const n = nullStr ?? (format === 'csv' ? '' : '\\N');
  if (n.includes('\r') || n.includes('\n')) throw new SqlError(SQLSTATE.invalidParameterValue, 'COPY null representation cannot use newline or carriage return');
  if (format === 'text' && d === '\\') throw new SqlError(SQLSTATE.invalidParameterValue, 'COPY delimiter cannot be "\\"');
  return { format, delimiter: d, null: n, header, headerMatch, quote: q, escape: esc, forceQuote, forceNotNull, forceNull };
}
