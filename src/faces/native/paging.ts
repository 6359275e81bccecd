/**
 * Optional keyset pagination on the wire. Lists stay plain arrays (wire compatibility);
 * `?limit=` bounds a page and the next page's URL comes in an RFC 8288
 * `Link: <...>; rel="next"` header, with an opaque cursor.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Listing, PageQuery } from '../../core/common/pagination.ts';
import { InvalidRequest } from '../../kernel/errors.ts';
import type { Page } from './schemas.ts';

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

/** The page's items in wire form in the body, the next page's URL in the Link header. */
export function sendListing<Row, Wire>(request: FastifyRequest, reply: FastifyReply, listing: Listing<Row>, toWire: (row: Row) => Wire): Wire[] {
  if (listing.next) {
    const url = new URL(request.url, 'http://localhost');
    url.searchParams.set('cursor', Buffer.from(JSON.stringify(listing.next)).toString('base64url'));
    reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  return listing.items.map(toWire);
}
