/**
 * Domain events: the seam of the audit trail. Services record one event per change they
 * make, inside the transaction that makes it, so an event is kept exactly when the change
 * is. The sink decides what to do with it; the default does nothing. An event names who
 * acted and on what, never a secret.
 */
/** Where a change came from: the request behind it, when there is one (for the audit trail). */
export interface EventOrigin {
  /** The principal's kind: user, service_account, api_token, system. */
  actorKind?: string;
  /** The credential used (an API token's or service account's ID); never the secret. */
  credentialId?: string;
  ip?: string;
  userAgent?: string;
  requestId?: string;
}

export interface DomainEvent {
  /** `<aggregate>.<verb>`, e.g. `group.created`, `serviceaccount.token_rotated`. */
  type: string;
  /** The principal's subject (createdBy/modifiedBy), or a system actor. */
  actor: string;
  organizationId?: string | null;
  projectId?: string | null;
  target: { kind: string; id: string; name?: string };
  origin?: EventOrigin;
  /** Names of the fields an update changed (never their values). */
  changes?: string[];
}

export interface EventSink {
  /** Called inside the change's transaction: a sink that writes to the database joins it. */
  record(event: DomainEvent): Promise<void>;
}

export const discardEvents: EventSink = { record: async () => undefined };
