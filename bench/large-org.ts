/**
 * The large organization of the bench: 10,000 members, 1,000 groups and 1,000 projects,
 * written with set-based SQL (the API would take minutes). Every group holds the `user` role
 * and is attached to the 10 projects of its number modulo 100; every member is in 5 groups. The measured principals (one
 * user, one service account) are in groups 0-99, which together reach all 1,000 projects:
 * the largest ACL the organization can give.
 */
import type { Db } from '../src/db/db.ts';

const userRole = 'c3bbb41c-9845-4800-a7d3-660ffbbb371f';
export const largeOrganization = { members: 10_000, groups: 1_000, projects: 1_000, groupsPerPrincipal: 100 };

export async function seedLargeOrganization(db: Db, organizationId: string, serviceAccountId: string): Promise<{ userId: string; email: string }> {
  const { members, groups, projects, groupsPerPrincipal } = largeOrganization;
  return db.transaction(async () => {
    const run = (sql: string, params: unknown[] = []) => db.query(sql, [organizationId, ...params]);
    await db.query(
      `INSERT INTO users (id, email) SELECT gen_random_uuid(), 'member-' || i || '-' || $1::text || '@bench.example' FROM generate_series(1, $2::int) i`,
      [organizationId, members],
    );
    await run(
      `INSERT INTO organization_users (id, organization_id, user_id, name, state)
       SELECT gen_random_uuid(), $1, id, email, 'active' FROM users WHERE email LIKE $2`,
      [`member-%-${organizationId}@bench.example`],
    );
    await run(`INSERT INTO groups (id, organization_id, name) SELECT gen_random_uuid(), $1, 'group-' || i FROM generate_series(1, $2::int) i`, [groups]);
    await run(`INSERT INTO group_roles (organization_id, group_id, role_id) SELECT $1, id, $2 FROM groups WHERE organization_id = $1`, [userRole]);
    await run(`INSERT INTO projects (id, organization_id, name) SELECT gen_random_uuid(), $1, 'project-' || i FROM generate_series(1, $2::int) i`, [projects]);
    // Numbered views of groups and projects, to wire them by arithmetic.
    const numbered = (table: string) =>
      `(SELECT id, (row_number() OVER (ORDER BY id))::int - 1 AS n FROM ${table} WHERE organization_id = $1 AND name ~ '^(group|project)-')`;
    await run(
      `INSERT INTO project_groups (organization_id, project_id, group_id)
       SELECT $1, p.id, g.id FROM ${numbered('projects')} p JOIN ${numbered('groups')} g ON g.n % 100 = p.n % 100`,
    );
    await run(
      `INSERT INTO group_users (organization_id, group_id, organization_user_id)
       SELECT $1, g.id, m.id FROM (SELECT id, (row_number() OVER (ORDER BY id))::int - 1 AS n FROM organization_users WHERE organization_id = $1) m
         JOIN ${numbered('groups')} g ON g.n IN (m.n % 1000, (m.n + 200) % 1000, (m.n + 400) % 1000, (m.n + 600) % 1000, (m.n + 800) % 1000)`,
    );
    const measured = await db.query<{ id: string; user_id: string; email: string }>(
      `SELECT ou.id, ou.user_id, u.email FROM organization_users ou JOIN users u ON u.id = ou.user_id WHERE ou.organization_id = $1 ORDER BY ou.id LIMIT 1`,
      [organizationId],
    );
    const member = measured.rows[0]!;
    await run(
      `INSERT INTO group_users (organization_id, group_id, organization_user_id)
       SELECT $1, g.id, $2 FROM ${numbered('groups')} g WHERE g.n < $3 ON CONFLICT DO NOTHING`,
      [member.id, groupsPerPrincipal],
    );
    await run(
      `INSERT INTO group_service_accounts (organization_id, group_id, service_account_id)
       SELECT $1, g.id, $2 FROM ${numbered('groups')} g WHERE g.n < $3`,
      [serviceAccountId, groupsPerPrincipal],
    );
    await db.exec('ANALYZE');
    return { userId: member.user_id, email: member.email };
  });
}
