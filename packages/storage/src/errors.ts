/**
 * An error a client is meant to see: it carries PostgreSQL's SQLSTATE so that
 * drivers and the wire server report it exactly as PostgreSQL would.
 */
export interface SqlErrorFields {
  detail?: string;
  hint?: string;
  /** 1-based character offset into the statement text, as PostgreSQL's `P` field. */
  position?: number;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
  severity?: 'ERROR' | 'FATAL' | 'PANIC';
}

export class SqlError extends Error {
  readonly code: string;
  detail?: string;
  hint?: string;
  position?: number;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
  severity: 'ERROR' | 'FATAL' | 'PANIC';

  constructor(code: string, message: string, fields: SqlErrorFields = {}) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
    this.severity = fields.severity ?? 'ERROR';
    Object.assign(this, fields);
  }
}

/** SQLSTATE codes used across packages (PostgreSQL Appendix A). */
export const SQLSTATE = {
  successfulCompletion: '00000',
  featureNotSupported: '0A000',
  cardinalityViolation: '21000',
  dataException: '22000',
  arraySubscriptError: '2202E',
  characterNotInRepertoire: '22021',
  datetimeFieldOverflow: '22008',
  divisionByZero: '22012',
  invalidParameterValue: '22023',
  invalidTextRepresentation: '22P02',
  invalidDatetimeFormat: '22007',
  numericValueOutOfRange: '22003',
  stringDataRightTruncation: '22001',
  invalidRegularExpression: '2201B',
  invalidEscapeSequence: '22025',
  invalidArgumentForLogarithm: '2201E',
  invalidArgumentForPowerFunction: '2201F',
  invalidPrecedingOrFollowingSize: '22013',
  invalidJsonText: '22P02',
  nullValueNotAllowed: '22004',
  intervalFieldOverflow: '22015',
  notNullViolation: '23502',
  foreignKeyViolation: '23503',
  uniqueViolation: '23505',
  checkViolation: '23514',
  invalidTransactionState: '25000',
  activeSqlTransaction: '25001',
  noActiveSqlTransaction: '25P01',
  inFailedSqlTransaction: '25P02',
  readOnlySqlTransaction: '25006',
  invalidCursorName: '34000',
  invalidSqlStatementName: '26000',
  serializationFailure: '40001',
  syntaxError: '42601',
  insufficientPrivilege: '42501',
  groupingError: '42803',
  windowingError: '42P20',
  invalidRecursion: '42P19',
  datatypeMismatch: '42804',
  wrongObjectType: '42809',
  undefinedColumn: '42703',
  undefinedFunction: '42883',
  undefinedTable: '42P01',
  undefinedObject: '42704',
  undefinedParameter: '42P02',
  undefinedSchema: '3F000',
  duplicateColumn: '42701',
  duplicateTable: '42P07',
  duplicateSchema: '42P06',
  duplicateObject: '42710',
  duplicateAlias: '42712',
  ambiguousColumn: '42702',
  ambiguousFunction: '42725',
  ambiguousAlias: '42P09',
  invalidColumnReference: '42P10',
  invalidTableDefinition: '42P16',
  invalidColumnDefinition: '42611',
  invalidObjectDefinition: '42P17',
  cannotCoerce: '42846',
  indeterminateDatatype: '42P18',
  dependentObjectsStillExist: '2BP01',
  queryCanceled: '57014',
  adminShutdown: '57P01',
  tooManyConnections: '53300',
  diskFull: '53100',
  dataCorrupted: 'XX001',
  ioError: '58030',
  objectInUse: '55006',
  outOfMemory: '53200',
  programLimitExceeded: '54000',
  tooManyColumns: '54011',
  nameTooLong: '42622',
  internalError: 'XX000',
  protocolViolation: '08P01',
  invalidPassword: '28P01',
  invalidAuthorizationSpecification: '28000',
  objectNotInPrerequisiteState: '55000',
  lockNotAvailable: '55P03',
} as const;

export function isSqlError(e: unknown): e is SqlError {
  return e instanceof SqlError;
}
