/**
 * The audit trail. Every domain event becomes an audit event in the transaction of the change
 * it records (the service is the core's event sink), so the trail holds a change exactly when
 * the change happened. Refusals that change nothing (bad credentials, a token used from a
 * forbidden address, a rotated-out secret) and events of changes made outside any transaction
 * (a workload token's issuance) are written on their own, batched with those of concurrent
 * requests (kernel/batch.ts): each request still waits for its own; failed authentications
 * are limited per address and minute so that a flood of bad tokens cannot flood the table.
 * No event ever holds a secret: events name credentials by ID.
 */
import type { Db } from '../../db/db.ts';
import { Batcher } from '../../kernel/batch.ts';
import type { DomainEvent, EventSink } from '../../kernel/events.ts';
import type { Logger } from '../../kernel/log.ts';
import type { AuditEntry, AuditFilter, AuditPage, AuditRecord } from './model.ts';
import * as store from './store.ts';

export type { AuditEntry, AuditFilter, AuditOutcome, AuditPage, AuditRecord } from './model.ts';

/** At most this many failed-authentication events per client address and minute, per instance. */
const failuresPerMinute = 5;

export class AuditService implements EventSink {
  private failures = new Map<string, number>();
  private minute = 0;
  private readonly alone: Batcher<AuditEntry>;

  constructor(
    private readonly db: Db,
    private readonly log: Pick<Logger, 'warn'>,
  ) {
    this.alone = new Batcher((entries) => store.insertEvents(this.db, entries));
  }

  /** Inside a transaction, with the change it records; outside one, in the next batch. */
  private write(entry: AuditEntry): Promise<void> {
    return this.db.inTransaction ? store.insertEvents(this.db, [entry]) : this.alone.add(entry);
  }

  /** The event sink: joins the caller's transaction. */
  async record(event: DomainEvent): Promise<void> {
    await this.write({
      organizationId: event.organizationId,
      action: event.type,
      outcome: 'success',
      actor: {
        kind: event.origin?.actorKind,
        subject: event.actor,
        credentialId: event.origin?.credentialId,
        ip: event.origin?.ip,
        userAgent: event.origin?.userAgent,
      },
      target: { type: event.target.kind, id: event.target.id, name: event.target.name },
      requestId: event.origin?.requestId,
      changes: event.changes,
    });
  }

  /** A refusal or failure that changed nothing. Never throws: auditing a refusal must not turn it into a 500. */
  async refusal(entry: AuditEntry): Promise<void> {
    await this.write(entry).catch((error) => this.log.warn({ err: error }, 'writing an audit event failed'));
  }

  /** A failed authentication, limited per client address and minute. */
  async authenticationFailed(entry: Omit<AuditEntry, 'action' | 'outcome'>): Promise<void> {
    const minute = Math.floor(Date.now() / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.failures = new Map();
    }
    const key = entry.actor.ip ?? '';
    const seen = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, seen);
    if (seen > failuresPerMinute) return;
    const limited = seen === failuresPerMinute ? ' (further failures from this address are not recorded this minute)' : '';
    await this.refusal({ ...entry, action: 'authentication.failed', outcome: 'failure', detail: `${entry.detail ?? ''}${limited}` });
  }

  async list(filter: AuditFilter, page: AuditPage): Promise<{ items: AuditRecord[]; next?: [string, string] }> {
    const rows = await store.listEvents(this.db, filter, page);
    if (rows.length <= page.limit) return { items: rows };
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1]!;
    return { items, next: [last.occurred_at.toISOString(), last.id] };
  }

  purge(retentionSeconds: number): Promise<number> {
    return store.purgeBefore(this.db, retentionSeconds);
  }
}
