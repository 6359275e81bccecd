/**
 * Who is calling, as every core service sees it: the authenticated principal, and its ACL
 * computed on first use, at most once per organization per request. Faces build a Caller
 * from whatever credential their wire format carries; services never see the credential.
 */
import type { DomainEvent, EventOrigin } from '../kernel/events.ts';
import type { Acl } from './acl.ts';
import type { Principal } from './model.ts';

/** Computes the ACL of a principal, globally or within one organization. */
export type AclSource = (principal: Principal, organizationId?: string) => Promise<Acl>;

export class Caller {
  private readonly acls = new Map<string, Promise<Acl>>();

  constructor(
    readonly principal: Principal,
    private readonly source: AclSource,
    /** The request this caller made, for the audit trail. */
    readonly origin: EventOrigin = {},
  ) {}

  /** What createdBy/modifiedBy record for this caller. */
  get subject(): string {
    return this.principal.subject;
  }

  /** A change this caller made, as the audit trail records it: by its subject, from its request. */
  event(change: Omit<DomainEvent, 'actor' | 'origin'>): DomainEvent {
    return { ...change, actor: this.subject, origin: this.origin };
  }

  acl(organizationId?: string): Promise<Acl> {
    const key = organizationId ?? '';
    let acl = this.acls.get(key);
    if (!acl) {
      acl = this.source(this.principal, organizationId);
      this.acls.set(key, acl);
    }
    return acl;
  }
}
