import { roleAtLeast } from "@consentry/auth";
import { attentionSummary } from "@consentry/core/attention";
import { orgProcedure, router } from "../trpc";

/** What needs a member's attention today in their organisation (issue #17.1). */
export const attentionRouter = router({
  /**
   * The home page: every member (auditor and up) sees cameras, findings, the filing threshold and
   * a failed retention run, as on the pages those link to; data-subject requests only from
   * operator up, like the Requests page.
   */
  summary: orgProcedure("auditor").query(({ ctx }) =>
    attentionSummary({
      db: ctx.db,
      orgId: ctx.org.id,
      leases: ctx.leases,
      includeRequests: roleAtLeast(ctx.org.role, "operator"),
    }),
  ),
});
