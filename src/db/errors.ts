import { Conflict, DomainError, InvalidRequest, NotFound, Unavailable } from '../kernel/errors.ts';
import type { ConstraintMeanings } from './db.ts';

/** The fields both drivers (pg and PGlite) put on a PostgreSQL error. */
interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
}

/**
 * Maps a database error to the domain error it means, or returns undefined for errors that
 * are faults (faces answer those with a 500 that says nothing internal). This is the only
 * place that knows PostgreSQL error codes; the Db calls it on every failed query, so no
 * caller ever sees a driver error for a constraint. A constraint's words come from the module
 * that owns it (`meanings`, Db.explainConstraints); otherwise they are generic.
 */
export function mapDbError(error: unknown, meanings: ConstraintMeanings = {}): DomainError | undefined {
  const { code, constraint = '', detail = '' } = (error ?? {}) as PgError;
  switch (code) {
    case '23505': // unique_violation
      return new Conflict(meanings[constraint] ?? 'the resource conflicts with an existing one');
    case '23503': // foreign_key_violation
      // "is still referenced" means a delete of something in use; otherwise a write named
      // something that does not exist (in this organization).
      if (detail.includes('still referenced')) {
        return new Conflict(meanings[constraint] ?? 'the resource is still in use');
      }
      if (constraint.endsWith('organization_id_fkey')) return new NotFound('organization not found');
      return new InvalidRequest('the request references a resource that does not exist');
    case '23514': // check_violation
    case '22P02': // invalid_text_representation
    case '22003': // numeric_value_out_of_range
    case '22021': // character_not_in_repertoire (a NUL byte in text)
    case '22P05': // untranslatable_character
      return new InvalidRequest('a value in the request is out of range or malformed');
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected
      return new Conflict('the resource was changed concurrently; retry the request');
    default:
      return undefined;
  }
}

/**
 * A database error that is a fault (not the caller's). It keeps what an operator needs (the
 * SQLSTATE, the routine, the constraint) and drops what a driver error carries beyond that:
 * the SQL text, its parameters and a message that may quote values.
 */
export class DatabaseFault extends Error {
  override readonly name = 'DatabaseFault';
  constructor(
    readonly code: string,
    readonly routine: string | undefined,
    readonly constraint: string | undefined,
  ) {
    super(`database error ${code}${routine ? ` in ${routine}` : ''}${constraint ? ` (constraint ${constraint})` : ''}`);
  }
}

// SQLSTATEs that say the server cannot serve now rather than that the request is wrong.
const unavailableStates = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '57014', // query_canceled: the statement timeout fired
  '53300', // too_many_connections
  '25P03', // idle_in_transaction_session_timeout
]);
// Errors of the connection itself (Node's socket errors, and the pg driver's own messages).
const connectionErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const connectionMessages = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Connection timed out/i;

/**
 * Whether a driver error means the database is unreachable, failing over or too slow: the
 * request may succeed later (503), as opposed to a fault in Tessera (500). Its reason, for
 * the log, names the condition and never the SQL.
 */
export function unavailableReason(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (unavailableStates.has(code) || code.startsWith('08'))) return `database error ${code}`;
  if (typeof code === 'string' && connectionErrorCodes.has(code)) return `database connection ${code}`;
  if (typeof message === 'string' && connectionMessages.test(message)) return `database connection: ${message.slice(0, 80)}`;
  return undefined;
}

/** Any failed query, as callers see it: a domain error (Unavailable when the database cannot serve), a DatabaseFault, or itself. */
export function fromDriverError(error: unknown, meanings: ConstraintMeanings = {}): unknown {
  if (error instanceof DomainError || error instanceof DatabaseFault) return error; // mapped by an inner query
  const reason = unavailableReason(error);
  if (reason) return new DatabaseUnavailable(reason);
  const mapped = mapDbError(error, meanings);
  if (mapped) return mapped;
  const { code, routine, constraint } = (error ?? {}) as PgError & { routine?: string };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? new DatabaseFault(code, routine, constraint || undefined) : error;
}

/** The database cannot serve now; `reason` is for the log (the caller sees a generic message). */
export class DatabaseUnavailable extends Unavailable {
  constructor(readonly reason: string) {
    super('the service is temporarily unavailable; retry later');
  }
}
