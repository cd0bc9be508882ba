import {
  exportVideoAccess,
  listVideoAccess,
  listVideoAccessInput,
  videoAccessFilter,
} from "@consentry/core/video-access";
import { orgProcedure, router } from "../trpc";

/**
 * The video-access register: who watched which camera's live video, when and why (issue #16.7).
 * The issue names owners and auditors; roles are hierarchical (owner > manager > operator >
 * auditor), so auditor and every role above read it. Read-only: rows are written by
 * `cameras.liveViewToken` and completed by the gateway.
 */
export const videoAccessRouter = router({
  /** A page of the organisation's register (or one camera's), newest first; `nextCursor` for older rows. */
  list: orgProcedure("auditor")
    .input(listVideoAccessInput)
    .query(({ ctx, input }) => {
      const { orgId: _orgId, ...filter } = input;
      return listVideoAccess(ctx.db, { ...filter, orgId: ctx.org.id });
    }),

  /** The filtered register as CSV (formula-safe), at most VIDEO_ACCESS_EXPORT_LIMIT rows; `capped` says when more matched. */
  exportCsv: orgProcedure("auditor")
    .input(videoAccessFilter)
    .query(({ ctx, input }) => {
      const { orgId: _orgId, ...filter } = input;
      return exportVideoAccess(ctx.db, { ...filter, orgId: ctx.org.id });
    }),
});
