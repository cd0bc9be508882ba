import { reanchorChain, reanchorInput } from "@consentry/core/admin";
import { pageInput } from "@consentry/core/validators";
import { auditAnchorsOverview, desc, eq, schema, verifyAuditChain } from "@consentry/db";
import { adminProcedure, orgProcedure, regulatorProcedure, router } from "../trpc";

const { auditLog } = schema;

export const auditRouter = router({
  /** The organisation's own entries, newest first. */
  list: orgProcedure("auditor")
    .input(pageInput)
    .query(async ({ ctx, input }) => {
      const items = await ctx.db
        .select({
          id: auditLog.id,
          at: auditLog.at,
          actorLabel: auditLog.actorLabel,
          action: auditLog.action,
          targetType: auditLog.targetType,
          targetId: auditLog.targetId,
          details: auditLog.details,
        })
        .from(auditLog)
        .where(eq(auditLog.orgId, ctx.org.id))
        .orderBy(desc(auditLog.id))
        .limit(input.pageSize + 1)
        .offset((input.page - 1) * input.pageSize);
      return { items: items.slice(0, input.pageSize), hasMore: items.length > input.pageSize };
    }),

  /**
   * The chain spans all organisations, so only platform administrators verify it. Lists every
   * break (the first 100; `breakCount` counts all), each closed by a re-anchor or open; a broken
   * chain still names its first open break (`brokenAtId`) and why (`reason`).
   */
  verifyChain: adminProcedure.query(({ ctx }) => verifyAuditChain(ctx.db)),

  /** Closes the broken segment starting at `brokenAtId` with a signed, audited re-anchor. */
  reanchor: adminProcedure
    .input(reanchorInput)
    .mutation(({ ctx, input }) => reanchorChain({ db: ctx.db, actor: ctx.actor }, input)),

  /**
   * The chain's latest signed daily heads, each checked against the chain, and the latest
   * verification (regulator console). Anchors and verdicts only: no entry's content.
   */
  anchors: regulatorProcedure.query(({ ctx }) => auditAnchorsOverview(ctx.db)),
});
