import {
  attachEvidence,
  createSign,
  deleteSign,
  listSigns,
  signEvidence,
  updateSign,
  verifySign,
} from "@consentry/core/signs";
import { photoBytes, signFields } from "@consentry/core/validators";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

const signId = z.object({ signId: z.uuid() });

/** Signs that tell people face recognition is in use (CN-CAM-02), with what they cover. */
export const signsRouter = router({
  list: orgProcedure("auditor")
    .input(z.object({ siteId: z.uuid() }))
    .query(({ ctx, input }) => listSigns({ db: ctx.db, orgId: ctx.org.id }, { siteId: input.siteId })),

  create: orgProcedure("manager")
    .input(signFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return createSign({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),

  update: orgProcedure("manager")
    .input(signFields.omit({ siteId: true }).extend(signId.shape))
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return updateSign({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),

  /** Someone checked on site that the sign is still there and readable. */
  verify: orgProcedure("operator")
    .input(signId)
    .mutation(({ ctx, input }) =>
      verifySign({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, { signId: input.signId }),
    ),

  /** A photo proving the sign is up, stored re-encoded (no EXIF) under its content hash. */
  attachEvidence: orgProcedure("operator")
    .input(signId.extend({ photo: photoBytes }))
    .mutation(({ ctx, input }) =>
      attachEvidence(
        { db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, storage: ctx.storage },
        { signId: input.signId, photo: input.photo },
      ),
    ),

  /** Where the evidence photo is, for the route that serves it to members. */
  evidence: orgProcedure("auditor")
    .input(signId)
    .query(({ ctx, input }) => signEvidence({ db: ctx.db, orgId: ctx.org.id }, { signId: input.signId })),

  delete: orgProcedure("manager")
    .input(signId)
    .mutation(({ ctx, input }) =>
      deleteSign({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, { signId: input.signId }),
    ),
});
