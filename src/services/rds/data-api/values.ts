/**
 * RDS Data API values <-> PostgreSQL: `:name` placeholders become `$n` (with a cast for `typeHint`), typed
 * `SqlParameter` values become query parameters, and result columns (read as text) become typed `Field`s,
 * column metadata with JDBC type codes, or `formattedRecords` JSON.
 * AWS docs: RDS Data API Reference (SqlParameter, Field, ColumnMetadata, ExecuteStatement formatRecordsAs);
 * Aurora User Guide "Using the RDS Data API" (data type mapping).
 */
import type pg from 'pg';
import { AwsServiceError } from '../../protocol/errors.js';

export interface SqlParameter {
  name?: string;
  value?: Record<string, unknown>;
  typeHint?: string;
}

const CASTS: Record<string, string> = { DATE: 'date', TIME: 'time', TIMESTAMP: 'timestamp', DECIMAL: 'numeric', JSON: 'json', UUID: 'uuid' };

const badRequest = (message: string) => new AwsServiceError('BadRequestException', message);

/** The SQL with `:name` replaced by `$n`, skipping string literals, quoted identifiers, comments and `::` casts. */
export function bindParameters(sql: string, parameters: SqlParameter[]): { text: string; values: unknown[] } {
  const byName = new Map<string, SqlParameter>();
  for (const p of parameters) {
    if (typeof p.name !== 'string') throw badRequest('Parameter name is required');
    byName.set(p.name, p);
  }
  const positions = new Map<string, number>();
  const values: unknown[] = [];
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const rest = sql.slice(i);
    const skip = /^('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|::|\$[A-Za-z_]*\$)/.exec(rest);
    if (skip) {
      // Dollar-quoted strings run to the same tag.
      if (skip[0].startsWith('$') && skip[0] !== '$') {
        const end = sql.indexOf(skip[0], i + skip[0].length);
        const stop = end === -1 ? sql.length : end + skip[0].length;
        out += sql.slice(i, stop);
        i = stop;
        continue;
      }
      out += skip[0];
      i += skip[0].length;
      continue;
    }
    const named = c === ':' ? /^:([A-Za-z_][A-Za-z0-9_]*)/.exec(rest) : null;
    if (named) {
      const name = named[1]!;
      const parameter = byName.get(name);
      if (parameter === undefined) throw badRequest(`No value specified for parameter: ${name}`);
      let position = positions.get(name);
      if (position === undefined) {
        values.push(toPg(parameter));
        position = values.length;
        positions.set(name, position);
      }
      const cast = parameter.typeHint === undefined ? undefined : CASTS[parameter.typeHint];
      if (parameter.typeHint !== undefined && cast === undefined) throw badRequest(`Invalid typeHint: ${parameter.typeHint}`);
      out += `$${position}${cast ? `::${cast}` : ''}`;
      i += named[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return { text: out, values };
}

function toPg(parameter: SqlParameter): unknown {
  const value = parameter.value ?? { isNull: true };
  const [kind, v] = Object.entries(value)[0] ?? ['isNull', true];
  switch (kind) {
    case 'isNull':
      return null;
    case 'booleanValue':
    case 'longValue':
    case 'doubleValue':
    case 'stringValue':
      return v;
    case 'blobValue':
      return Buffer.from(String(v), 'base64');
    case 'arrayValue':
      return arrayOf(v as Record<string, unknown>);
    default:
      throw badRequest(`Unsupported parameter value type for ${parameter.name}: ${kind}`);
  }
}

function arrayOf(value: Record<string, unknown>): unknown[] {
  const [kind, items] = Object.entries(value)[0] ?? ['stringValues', []];
  if (kind === 'arrayValues') return (items as Record<string, unknown>[]).map(arrayOf);
  return items as unknown[];
}

/** PostgreSQL type OIDs (pg_type) -> Data API field kind and JDBC type (java.sql.Types). */
const TYPES: Record<number, { name: string; field: 'boolean' | 'long' | 'double' | 'string' | 'blob'; jdbc: number }> = {
  16: { name: 'bool', field: 'boolean', jdbc: -7 },
  17: { name: 'bytea', field: 'blob', jdbc: -2 },
  20: { name: 'int8', field: 'long', jdbc: -5 },
  21: { name: 'int2', field: 'long', jdbc: 5 },
  23: { name: 'int4', field: 'long', jdbc: 4 },
  26: { name: 'oid', field: 'long', jdbc: -5 },
  700: { name: 'float4', field: 'double', jdbc: 7 },
  701: { name: 'float8', field: 'double', jdbc: 8 },
  1700: { name: 'numeric', field: 'string', jdbc: 2 },
  25: { name: 'text', field: 'string', jdbc: 12 },
  1043: { name: 'varchar', field: 'string', jdbc: 12 },
  1042: { name: 'bpchar', field: 'string', jdbc: 1 },
  1082: { name: 'date', field: 'string', jdbc: 91 },
  1083: { name: 'time', field: 'string', jdbc: 92 },
  1114: { name: 'timestamp', field: 'string', jdbc: 93 },
  1184: { name: 'timestamptz', field: 'string', jdbc: 93 },
  114: { name: 'json', field: 'string', jdbc: 1111 },
  3802: { name: 'jsonb', field: 'string', jdbc: 1111 },
  2950: { name: 'uuid', field: 'string', jdbc: 1111 },
};

function typeOf(oid: number) {
  return TYPES[oid] ?? { name: String(oid), field: 'string' as const, jdbc: 1111 };
}

function convert(text: string, oid: number): { kind: string; value: unknown } {
  const type = typeOf(oid);
  switch (type.field) {
    case 'boolean':
      return { kind: 'booleanValue', value: text === 't' };
    case 'long':
      return { kind: 'longValue', value: Number(text) };
    case 'double':
      return { kind: 'doubleValue', value: Number(text) };
    case 'blob':
      return { kind: 'blobValue', value: Buffer.from(text.startsWith('\\x') ? text.slice(2) : text, 'hex').toString('base64') };
    default:
      return { kind: 'stringValue', value: text };
  }
}

type Row = (string | null)[];

/** `records`: one list of `Field`s per row. */
export function records(result: pg.QueryResult<Row>): Record<string, unknown>[][] {
  return result.rows.map((row) => row.map((text, i) => (text === null ? { isNull: true } : { [convert(text, result.fields[i]!.dataTypeID).kind]: convert(text, result.fields[i]!.dataTypeID).value })));
}

/** `formattedRecords`: a JSON array of objects keyed by column label. */
export function formattedRecords(result: pg.QueryResult<Row>): string {
  return JSON.stringify(
    result.rows.map((row) => Object.fromEntries(row.map((text, i) => [result.fields[i]!.name, text === null ? null : jsonValue(text, result.fields[i]!.dataTypeID)]))),
  );
}

function jsonValue(text: string, oid: number): unknown {
  const converted = convert(text, oid);
  return converted.value;
}

export function columnMetadata(result: pg.QueryResult<Row>): Record<string, unknown>[] {
  return result.fields.map((field) => {
    const type = typeOf(field.dataTypeID);
    return {
      name: field.name,
      label: field.name,
      type: type.jdbc,
      typeName: type.name,
      isSigned: type.field === 'long' || type.field === 'double' || type.name === 'numeric',
      nullable: 2,
      precision: field.dataTypeSize > 0 ? field.dataTypeSize : 0,
      scale: 0,
      schemaName: '',
      tableName: '',
      arrayBaseColumnType: 0,
      isAutoIncrement: false,
      isCaseSensitive: type.field === 'string',
      isCurrency: false,
    };
  });
}
