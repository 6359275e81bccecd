/**
 * Optional keyset pagination for list endpoints. Lists stay plain arrays (wire
 * compatibility); `?limit=` bounds a page and the next page's URL comes in an RFC 8288
 * `Link: <...>; rel="next"` header. Order is by lower(name), then id, which is stable.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequest } from '../../http/errors.ts';
import type { Page } from './schemas.ts';

export interface PageQuery {
  limit?: number;
  after?: [string, string];
}

export function parsePage(page: Page | undefined): PageQuery {
  const result: PageQuery = {};
  if (page?.limit !== undefined) {
    const limit = Number(page.limit);
    if (limit < 1 || limit > 1000) throw new InvalidRequest('querystring.limit must be between 1 and 1000');
    result.limit = limit;
  }
  if (page?.cursor !== undefined) {
    try {
      const after = JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8'));
      if (!Array.isArray(after) || after.length !== 2 || !after.every((v) => typeof v === 'string')) throw new Error();
      result.after = after as [string, string];
    } catch {
      throw new InvalidRequest('querystring.cursor is not a cursor this server issued');
    }
  }
  return result;
}

/**
 * Appends the keyset condition, order and limit to a query whose rows come from `alias`.
 * `params` is extended in place. One extra row is fetched to know whether a next page exists.
 */
export function pageSql(alias: string, page: PageQuery, params: unknown[]): string {
  let sql = '';
  if (page.after) {
    params.push(page.after[0], page.after[1]);
    sql += ` AND (lower(${alias}.name), ${alias}.id) > ($${params.length - 1}, $${params.length}::uuid)`;
  }
  sql += ` ORDER BY lower(${alias}.name), ${alias}.id`;
  if (page.limit) {
    params.push(page.limit + 1);
    sql += ` LIMIT $${params.length}`;
  }
  return sql;
}

export interface Listing<T> {
  items: T[];
  nextCursor?: string;
}

/** Trims the look-ahead row and makes the cursor of the next page, if there is one. */
export function finishPage<Row extends { id: string; name: string }, Out>(
  page: PageQuery,
  rows: Row[],
  toWire: (row: Row) => Out,
): Listing<Out> {
  if (!page.limit || rows.length <= page.limit) return { items: rows.map(toWire) };
  const kept = rows.slice(0, page.limit);
  const last = kept[kept.length - 1];
  const nextCursor = Buffer.from(JSON.stringify([last.name.toLowerCase(), last.id])).toString('base64url');
  return { items: kept.map(toWire), nextCursor };
}

/** Transport side: the array goes in the body, the next page's URL in the Link header. */
export function sendListing<T>(request: FastifyRequest, reply: FastifyReply, listing: Listing<T>): T[] {
  if (listing.nextCursor) {
    const url = new URL(request.url, 'http://localhost');
    url.searchParams.set('cursor', listing.nextCursor);
    reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  return listing.items;
}
