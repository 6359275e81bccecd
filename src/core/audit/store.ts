/** SQL of the audit trail (table audit_events). */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/db.ts';
import type { AuditEntry, AuditFilter, AuditPage, AuditRecord } from './model.ts';

export async function insertEvent(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_events (id, organization_id, action, outcome, actor_kind, actor_subject, actor_credential_id, actor_ip,
       actor_user_agent, target_type, target_id, target_name, request_id, changes, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      randomUUID(),
      e.organizationId ?? null,
      e.action,
      e.outcome,
      e.actor.kind ?? null,
      e.actor.subject ?? null,
      e.actor.credentialId ?? null,
      e.actor.ip ?? null,
      e.actor.userAgent?.slice(0, 256) ?? null,
      e.target?.type ?? null,
      e.target?.id ?? null,
      e.target?.name ?? null,
      e.requestId ?? null,
      e.changes ?? [],
      e.detail ?? null,
    ],
  );
}

export async function listEvents(db: Queryable, filter: AuditFilter, page: AuditPage): Promise<AuditRecord[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.organizationId) add('organization_id = ?', filter.organizationId);
  if (filter.action) add('action = ?', filter.action);
  if (filter.actor) add('actor_subject = ?', filter.actor);
  if (filter.targetId) add('target_id = ?', filter.targetId);
  if (filter.since) add('occurred_at >= ?', filter.since);
  if (filter.until) add('occurred_at < ?', filter.until);
  if (page.after) {
    params.push(page.after[0], page.after[1]);
    where.push(`(occurred_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(page.limit + 1);
  const result = await db.query<AuditRecord>(
    `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY occurred_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return result.rows;
}

/** Housekeeping: events older than the retention period go. */
export async function purgeBefore(db: Queryable, retentionSeconds: number): Promise<number> {
  return (await db.query(`DELETE FROM audit_events WHERE occurred_at < now() - make_interval(secs => $1)`, [retentionSeconds])).rowCount;
}
