import { accountOverview, listOwnSessions, revokeOwnSession } from "@consentry/auth";
import { notFound } from "@consentry/core/errors";
import { text } from "@consentry/core/validators";
import { z } from "zod";
import { protectedProcedure, router } from "../trpc";

/**
 * The signed-in user's own account (issue #16.3, #16.4). Passwords, two-factor and "sign out
 * everywhere else" go through Better Auth itself (it checks the password and knows the current
 * session); these list and end sessions by id, so no session token reaches the page.
 */
export const profileRouter = router({
  overview: protectedProcedure.query(async ({ ctx }) => {
    const overview = await accountOverview(ctx.db, ctx.principal.userId);
    return overview ?? notFound("Account");
  }),

  sessions: protectedProcedure.query(({ ctx }) => listOwnSessions(ctx.db, ctx.principal.userId)),

  revokeSession: protectedProcedure
    .input(z.strictObject({ sessionId: text().min(1).max(200) }))
    // Only the caller's own sessions: another user's id, like one that no longer exists (already
    // signed out), changes nothing and answers revoked: false.
    .mutation(async ({ ctx, input }) => ({
      revoked: await revokeOwnSession({ db: ctx.db, actor: ctx.actor }, input.sessionId),
    })),
});
