/** The audit trail: who did what, to what, from where, and how it ended (docs/audit.md). */

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditEntry {
  organizationId?: string | null;
  action: string;
  outcome: AuditOutcome;
  actor: { kind?: string; subject?: string; credentialId?: string; ip?: string; userAgent?: string };
  target?: { type: string; id: string; name?: string };
  requestId?: string;
  changes?: string[];
  /** A short reason for a refusal or failure; never a secret. */
  detail?: string;
}

export interface AuditRecord {
  id: string;
  occurred_at: Date;
  organization_id: string | null;
  action: string;
  outcome: AuditOutcome;
  actor_kind: string | null;
  actor_subject: string | null;
  actor_credential_id: string | null;
  actor_ip: string | null;
  actor_user_agent: string | null;
  target_type: string | null;
  target_id: string | null;
  target_name: string | null;
  request_id: string | null;
  changes: string[];
  detail: string | null;
}

export interface AuditFilter {
  /** Undefined: the whole platform (events of every organization and of none). */
  organizationId?: string;
  action?: string;
  actor?: string;
  targetId?: string;
  since?: Date;
  until?: Date;
}

/** Newest first: a page starts after the (occurred_at, id) of the last event seen. */
export interface AuditPage {
  limit: number;
  after?: [string, string];
}
