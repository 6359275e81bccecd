/**
 * Workload identity tokens: a credential allowed to mint (`identity:workloadtokens` on the
 * project) asks for an ID token for one job of a project. The token's issuer is the
 * organization's own (`<issuer>/org/<id>`, with its own discovery document), its audience and
 * lifetime come from the resolved custom claims, and its subject names the project and the
 * actor as CircleCI's do (v1), or also the VCS origin and ref (v2).
 */
import type { JWTPayload } from 'jose';
import { InvalidRequest } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import { isUuid } from '../../kernel/ids.ts';
import type { Caller } from '../../rbac/caller.ts';
import type { TokenIssuance } from '../issuance/service.ts';
import type { OidcClaimsService } from '../oidcclaims/service.ts';
import type { OrganizationService } from '../organizations/service.ts';

/** Where Tessera's own claims live in a workload token (RFC 7519 §4.3 private names). */
export const claimNamespace = 'tessera/';

export interface JobContext {
  /** Who caused the run (a user ID); defaults to the calling credential. */
  actor?: string;
  pipelineId?: string;
  runId?: string;
  vcsOrigin?: string;
  vcsRef?: string;
  contextIds?: string[];
  /** One of the project's allowed audiences; all of them when left out. */
  audience?: string;
}

export interface WorkloadTokens {
  token: string;
  /** The same, with the VCS origin and ref in the subject (CircleCI's v2). */
  tokenV2: string;
  expiresAt: Date;
  audience: string[];
}

export class WorkloadTokenService {
  constructor(
    private readonly claims: OidcClaimsService,
    private readonly organizations: Pick<OrganizationService, 'state'>,
    private readonly issuance: Pick<TokenIssuance, 'workloadTokens'>,
    issuer: string,
    private readonly events: EventSink,
  ) {
    this.issuersPrefix = `${issuer}/org/`;
  }

  /** What every organization's issuer starts with (`<issuer>/org/`). */
  private readonly issuersPrefix: string;

  /** The issuer of an organization's workload tokens. */
  issuerOf(organizationId: string): string {
    return `${this.issuersPrefix}${organizationId}`;
  }

  /** Whether `issuer` is one of this server's workload issuers (their keys are the server's own). */
  ownsIssuer(issuer: string): boolean {
    return issuer.startsWith(this.issuersPrefix);
  }

  /**
   * Whether a verified token of one of this server's issuers still speaks for live things: its
   * organization is not being deleted (nor gone), and the project it names, if any, neither.
   * Both reads are cached and kept right by the change feed, so a deletion at any instance
   * stops the token everywhere.
   */
  async stillLive(issuer: string, claims: JWTPayload): Promise<boolean> {
    const organizationId = issuer.slice(this.issuersPrefix.length);
    if (!isUuid(organizationId) || claims[`${claimNamespace}org-id`] !== organizationId) return false;
    const state = await this.organizations.state(organizationId);
    if (!state || state.deleting) return false;
    const projectId = claims[`${claimNamespace}project-id`];
    if (projectId === undefined) return true;
    return typeof projectId === 'string' && isUuid(projectId) && this.claims.projectIsLive(organizationId, projectId);
  }

  async mint(caller: Caller, organizationId: string, projectId: string, job: JobContext): Promise<WorkloadTokens> {
    const resolved = await this.claims.resolve(organizationId, projectId);
    if (job.audience !== undefined && !resolved.audience.includes(job.audience)) {
      throw new InvalidRequest('audience is not one of the audiences allowed for this project');
    }
    const audience = job.audience !== undefined ? [job.audience] : resolved.audience;
    const actor = job.actor ?? actorOf(caller);
    const subject = `org/${organizationId}/project/${projectId}/user/${actor}`;
    const ns = claimNamespace;
    const extra = Object.fromEntries(
      Object.entries({
        [`${ns}org-id`]: organizationId,
        [`${ns}project-id`]: projectId,
        [`${ns}pipeline-id`]: job.pipelineId,
        [`${ns}run-id`]: job.runId,
        [`${ns}vcs-origin`]: job.vcsOrigin,
        [`${ns}vcs-ref`]: job.vcsRef,
        [`${ns}context-ids`]: job.contextIds,
      }).filter(([, value]) => value !== undefined),
    );
    const ttlSeconds = Math.max(1, Math.floor(resolved.ttlMs / 1000));
    const common = { issuer: this.issuerOf(organizationId), audience, ttlSeconds, extra };
    const [token, tokenV2] = await this.issuance.workloadTokens(common, [subject, `${subject}/vcs-origin/${job.vcsOrigin ?? ''}/vcs-ref/${job.vcsRef ?? ''}`]);
    await this.events.record(caller.event({ type: 'workloadtoken.issued', organizationId, projectId, target: { kind: 'project', id: projectId } }));
    return { token, tokenV2, expiresAt: new Date(Date.now() + ttlSeconds * 1000), audience };
  }
}

function actorOf(caller: Caller): string {
  const p = caller.principal;
  if (p.kind === 'user') return p.userId;
  if (p.kind === 'service_account') return p.serviceAccountId;
  if (p.kind === 'api_token') return p.apiTokenId;
  return p.subject;
}
