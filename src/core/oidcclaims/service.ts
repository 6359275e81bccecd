/**
 * Custom claims of workload identity tokens: `audience` and `ttl`, set per organization and
 * per project. A token for a project takes each claim from the project, else from the
 * organization, else the default (audience: the organization ID; ttl: one hour). PATCH is
 * partial; a reset (DELETE) puts a claim back to "not customized" and re-stamps its time.
 */
import type { Db } from '../../db/db.ts';
import type { Cache, Caches } from '../../kernel/cache.ts';
import { InvalidRequest } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import type { Caller } from '../../rbac/caller.ts';
import { liveProject, type ProjectService } from '../projects/service.ts';
import { formatDuration, parseDuration } from './duration.ts';
import type { ClaimName, ClaimsPatch, ClaimsRecord, ResolvedClaims } from './model.ts';
import * as store from './store.ts';

type ProjectClaims = NonNullable<Awaited<ReturnType<typeof store.claimsOfProject>>>;

export { formatDuration } from './duration.ts';
export type { ClaimName, ClaimsPatch, ClaimsRecord, ResolvedClaims } from './model.ts';

export const defaultTtlMs = 3_600_000;
const minTtlMs = 60_000;
const maxAudiences = 10;

export class OidcClaimsService {
  /** What minting reads, per project: its liveness and the claims of both scopes. */
  private readonly ofProject: Cache<ProjectClaims>;

  constructor(
    private readonly db: Db,
    private readonly projects: ProjectService,
    private readonly maxTtlMs: number,
    private readonly events: EventSink,
    caches: Caches,
  ) {
    this.ofProject = caches.cache('workload_claims');
  }

  /** The claims customized at a scope; a scope never customized reads as nothing customized. */
  async get(organizationId: string, projectId: string | null): Promise<ClaimsRecord> {
    if (projectId) await this.projects.requireLive(organizationId, projectId);
    return (
      (await store.getClaims(this.db, organizationId, projectId)) ?? {
        organization_id: organizationId,
        project_id: projectId,
        audience: null,
        audience_updated_at: null,
        ttl_ms: null,
        ttl_updated_at: null,
      }
    );
  }

  async patch(caller: Caller, organizationId: string, projectId: string | null, patch: ClaimsPatch): Promise<ClaimsRecord> {
    const values: { audience?: string[]; ttlMs?: number } = {};
    if (patch.audience !== undefined) values.audience = this.checkAudience(patch.audience);
    if (patch.ttl !== undefined) values.ttlMs = this.checkTtl(patch.ttl);
    if (!Object.keys(values).length) return this.get(organizationId, projectId); // nothing to change: nothing written, nothing audited
    return this.db.transaction(async () => {
      if (projectId) await this.projects.requireLive(organizationId, projectId);
      await store.setClaims(this.db, organizationId, projectId, values);
      await this.record(
        caller,
        organizationId,
        projectId,
        'oidcclaims.updated',
        Object.keys(values).map((k) => (k === 'ttlMs' ? 'ttl' : k)),
      );
      return this.get(organizationId, projectId);
    });
  }

  /** Puts the named claims back to their default (CircleCI's DELETE `?claims=audience,ttl`). */
  async reset(caller: Caller, organizationId: string, projectId: string | null, claims: ClaimName[]): Promise<ClaimsRecord> {
    if (!claims.length) throw new InvalidRequest('Claims: cannot be blank.');
    return this.db.transaction(async () => {
      if (projectId) await this.projects.requireLive(organizationId, projectId);
      await store.setClaims(this.db, organizationId, projectId, {
        ...(claims.includes('audience') ? { audience: null } : {}),
        ...(claims.includes('ttl') ? { ttlMs: null } : {}),
      });
      await this.record(caller, organizationId, projectId, 'oidcclaims.reset', claims);
      return this.get(organizationId, projectId);
    });
  }

  /** The claims a workload token of the project gets, claim by claim; refused unless the project is live. */
  async resolve(organizationId: string, projectId: string): Promise<ResolvedClaims> {
    const { project, organization } = liveProject(await this.readProject(organizationId, projectId));
    return {
      audience: project?.audience ?? organization?.audience ?? [organizationId],
      ttlMs: project?.ttl_ms ?? organization?.ttl_ms ?? defaultTtlMs,
    };
  }

  /** Whether the project exists and is not being deleted (from the same cached read as minting). */
  async projectIsLive(organizationId: string, projectId: string): Promise<boolean> {
    const read = await this.readProject(organizationId, projectId);
    return read !== undefined && read.deletion_time === null;
  }

  private readProject(organizationId: string, projectId: string): Promise<ProjectClaims | undefined> {
    return this.ofProject.get(`${organizationId}:${projectId}`, async () => {
      const found = await store.claimsOfProject(this.db, organizationId, projectId);
      return found && { value: found, tags: [`org:${organizationId}`] };
    });
  }

  private checkAudience(audience: string[]): string[] {
    if (audience.length > maxAudiences) throw new InvalidRequest(`audience may hold at most ${maxAudiences} entries`);
    for (const entry of audience) {
      if (entry.length < 1 || entry.length > 255) throw new InvalidRequest('each audience must be 1 to 255 characters');
    }
    return audience;
  }

  private checkTtl(ttl: string): number {
    const ms = parseDuration(ttl);
    if (ms === undefined) throw new InvalidRequest('ttl must be a duration such as 1h, 30m or 1h30m');
    if (ms < minTtlMs || ms > this.maxTtlMs) {
      throw new InvalidRequest(`ttl must be from ${formatDuration(minTtlMs)} to ${formatDuration(this.maxTtlMs)}`);
    }
    return ms;
  }

  private record(caller: Caller, organizationId: string, projectId: string | null, type: string, changes: string[]) {
    const target = projectId ? { kind: 'project', id: projectId } : { kind: 'organization', id: organizationId };
    return this.events.record(caller.event({ type, organizationId, projectId, target, changes }));
  }
}
