import { createOrganization } from "@consentry/core/admin";
import { organizationFields } from "@consentry/core/validators";
import { asc, count, eq, schema } from "@consentry/db";
import { adminProcedure, router } from "../trpc";

const { organizations, memberships } = schema;

export const adminRouter = router({
  organizations: adminProcedure.query(({ ctx }) =>
    ctx.db
      .select({
        id: organizations.id,
        name: organizations.name,
        slug: organizations.slug,
        jurisdictionProfile: organizations.jurisdictionProfile,
        createdAt: organizations.createdAt,
        memberCount: count(memberships.id),
      })
      .from(organizations)
      .leftJoin(memberships, eq(memberships.orgId, organizations.id))
      .groupBy(organizations.id)
      .orderBy(asc(organizations.name)),
  ),

  createOrganization: adminProcedure
    .input(organizationFields)
    .mutation(({ ctx, input }) => createOrganization({ db: ctx.db, actor: ctx.actor }, input)),
});
