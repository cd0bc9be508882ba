import { createOrganization, onboardingFields } from "@consentry/core/admin";
import {
  addNetworkException,
  listNetworkExceptions,
  networkExceptionFields,
  removeNetworkException,
} from "@consentry/core/camera-networks";
import { asc, count, eq, schema } from "@consentry/db";
import { z } from "zod";
import { adminProcedure, invitationServices, router } from "../trpc";

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

  /** Onboarding: the organisation, its camera networks and its first owner's invitation. */
  createOrganization: adminProcedure
    .input(onboardingFields)
    .mutation(({ ctx, input }) =>
      createOrganization({ db: ctx.db, actor: ctx.actor, mail: invitationServices(ctx) }, input),
    ),

  /** Reserved ranges (loopback, link-local…) this installation lets organisations list anyway. */
  networkExceptions: adminProcedure.query(({ ctx }) => listNetworkExceptions({ db: ctx.db })),

  addNetworkException: adminProcedure
    .input(networkExceptionFields)
    .mutation(({ ctx, input }) => addNetworkException({ db: ctx.db, actor: ctx.actor }, input)),

  removeNetworkException: adminProcedure
    .input(z.object({ exceptionId: z.uuid() }))
    .mutation(({ ctx, input }) => removeNetworkException({ db: ctx.db, actor: ctx.actor }, input)),
});
