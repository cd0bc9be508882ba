import { fieldError, isUniqueViolation } from "@consentry/core/errors";
import { organizationFields } from "@consentry/core/validators";
import { asc, count, eq, schema } from "@consentry/db";
import { adminProcedure, audit, router } from "../trpc";

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

  createOrganization: adminProcedure.input(organizationFields).mutation(async ({ ctx, input }) => {
    try {
      return await ctx.db.transaction(async (tx) => {
        const [org] = await tx.insert(organizations).values(input).returning();
        if (!org) throw new Error("insert returned no row");
        await audit(
          tx,
          { ...ctx, org },
          {
            action: "organization.create",
            targetType: "organization",
            targetId: org.id,
            details: input,
          },
        );
        return org;
      });
    } catch (error) {
      if (isUniqueViolation(error, "organizations_slug_unique")) {
        throw fieldError("conflict", "slug", "slugTaken", "This short name is taken.");
      }
      throw error;
    }
  }),
});
