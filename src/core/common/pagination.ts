/**
 * Keyset pagination for list queries. Order is by lower(name), then id, which is stable;
 * a page ends after `limit` rows and the next one starts after the last (name, id) seen.
 * How a face spells this on the wire (cursor tokens, Link headers, page numbers) is its own.
 */
export interface PageQuery {
  limit?: number;
  /** The (lower(name), id) of the last row of the previous page. */
  after?: [string, string];
}

export interface Listing<T> {
  items: T[];
  /** Where the next page starts; undefined on the last page. */
  next?: [string, string];
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

/** Trims the look-ahead row and notes where the next page starts, if there is one. */
export function finishPage<Row extends { id: string; name: string }>(page: PageQuery, rows: Row[]): Listing<Row> {
  if (!page.limit || rows.length <= page.limit) return { items: rows };
  const kept = rows.slice(0, page.limit);
  const last = kept[kept.length - 1]!;
  return { items: kept, next: [last.name.toLowerCase(), last.id] };
}
