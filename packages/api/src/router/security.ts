import { setTwoFactorRequired, twoFactorPolicy } from "@consentry/auth";
import { DomainError } from "@consentry/core/errors";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

/** The organisation's sign-in rules, for owners: two-factor required (issue #16.4). */
export const securityRouter = router({
  twoFactorPolicy: orgProcedure("owner").query(({ ctx }) => twoFactorPolicy(ctx.db, ctx.org.id)),

  setTwoFactorRequired: orgProcedure("owner")
    .input(z.strictObject({ orgId: z.uuid(), required: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const outcome = await setTwoFactorRequired({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, input.required);
      if (outcome === "ownerWithoutTwoFactor")
        throw new DomainError(
          "precondition",
          "Set up two-factor for your own account first (Profile), then require it for everyone.",
        );
      return twoFactorPolicy(ctx.db, ctx.org.id);
    }),
});
