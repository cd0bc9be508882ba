// Until packages/core exports "./sso" (see the SSO report), the use cases by path.

import {
  getSsoSettings,
  removeSsoConnection,
  saveSsoSettings,
  ssoSettingsFields,
  testSsoConnection,
} from "@consentry/core/sso";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

const orgOnly = z.strictObject({ orgId: z.uuid() });

/** An organisation's OIDC single sign-on settings (issue #16.5), for its owners. */
export const ssoRouter = router({
  get: orgProcedure("owner")
    .input(orgOnly)
    .query(({ ctx }) => getSsoSettings({ db: ctx.db, orgId: ctx.org.id })),

  save: orgProcedure("owner")
    .input(ssoSettingsFields.extend({ orgId: z.uuid() }))
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return saveSsoSettings({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),

  test: orgProcedure("owner")
    .input(orgOnly)
    .mutation(({ ctx }) => testSsoConnection({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id })),

  remove: orgProcedure("owner")
    .input(orgOnly)
    .mutation(({ ctx }) => removeSsoConnection({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id })),
});
