/** SQL of the audit trail (table audit_events). */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/db.ts';
import type { AuditEntry, AuditFilter, AuditPage, AuditRecord } from './model.ts';

/** Writes audit events, in one statement however many (a batch is a JSON array of rows). */
export async function insertEvents(db: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  const rows = entries.map((e) => ({
    id: randomUUID(),
    organization_id: e.organizationId ?? null,
    action: e.action,
    outcome: e.outcome,
    actor_kind: e.actor.kind ?? null,
    actor_subject: e.actor.subject ?? null,
    actor_credential_id: e.actor.credentialId ?? null,
    actor_ip: e.actor.ip ?? null,
    actor_user_agent: e.actor.userAgent?.slice(0, 256) ?? null,
    target_type: e.target?.type ?? null,
    target_id: e.target?.id ?? null,
    target_name: e.target?.name ?? null,
    request_id: e.requestId ?? null,
    changes: e.changes ?? [],
    detail: e.detail ?? null,
  }));
  await db.query(
    `INSERT INTO audit_events (id, organization_id, action, outcome, actor_kind, actor_subject, actor_credential_id, actor_ip,
       actor_user_agent, target_type, target_id, target_name, request_id, changes, detail)
     SELECT id, organization_id, action, outcome, actor_kind, actor_subject, actor_credential_id, actor_ip,
            actor_user_agent, target_type, target_id, target_name, request_id, changes, detail
       FROM jsonb_to_recordset($1::jsonb) AS e(id uuid, organization_id uuid, action text, outcome text, actor_kind text,
            actor_subject text, actor_credential_id text, actor_ip text, actor_user_agent text, target_type text, target_id text,
            target_name text, request_id text, changes text[], detail text)`,
    [JSON.stringify(rows)],
    { prepare: true },
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
