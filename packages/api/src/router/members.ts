import {
  acceptAsNewUser,
  acceptAsNewUserFields,
  acceptAsSignedInUser,
  changeMemberRole,
  deactivateMember,
  firstSteps,
  invitationToken,
  inviteFields,
  inviteMember,
  listInvitations,
  listMembers,
  memberListFields,
  memberRole,
  reactivateMember,
  removeMember,
  resendInvitation,
  revokeInvitation,
  showInvitation,
  memberUserId as userId,
} from "@consentry/core/members";
import { z } from "zod";
import { invitationServices, orgProcedure, protectedProcedure, publicProcedure, router } from "../trpc";

const orgId = z.uuid();

const member = z.strictObject({ orgId, userId });
const invitation = z.strictObject({ orgId, invitationId: z.uuid() });

/** Members of an organisation and their invitations (issue #16.1-2). Owners manage; managers read. */
export const membersRouter = router({
  list: orgProcedure("manager")
    .input(z.strictObject({ orgId, ...memberListFields.shape }))
    .query(({ ctx, input }) => {
      const { orgId: _orgId, ...filters } = input;
      return listMembers({ db: ctx.db, orgId: ctx.org.id }, filters);
    }),

  invitations: orgProcedure("manager")
    .input(
      z.strictObject({
        orgId,
        page: z.int().min(1).max(100_000).default(1),
        pageSize: z.int().min(1).max(100).default(25),
      }),
    )
    .query(({ ctx, input }) =>
      listInvitations({ db: ctx.db, orgId: ctx.org.id }, { page: input.page, pageSize: input.pageSize }),
    ),

  invite: orgProcedure("owner")
    .input(z.strictObject({ orgId, ...inviteFields.shape }))
    .mutation(({ ctx, input }) =>
      inviteMember(
        { db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, mail: invitationServices(ctx) },
        { email: input.email, role: input.role },
      ),
    ),

  resendInvitation: orgProcedure("owner")
    .input(invitation)
    .mutation(({ ctx, input }) =>
      resendInvitation(
        { db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, mail: invitationServices(ctx) },
        { invitationId: input.invitationId },
      ),
    ),

  revokeInvitation: orgProcedure("owner")
    .input(invitation)
    .mutation(({ ctx, input }) =>
      revokeInvitation({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, { invitationId: input.invitationId }),
    ),

  changeRole: orgProcedure("owner")
    .input(z.strictObject({ orgId, userId, role: memberRole }))
    .mutation(({ ctx, input }) =>
      changeMemberRole(
        { db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs },
        { userId: input.userId, role: input.role },
      ),
    ),

  deactivate: orgProcedure("owner")
    .input(member)
    .mutation(({ ctx, input }) =>
      deactivateMember({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs }, { userId: input.userId }),
    ),

  reactivate: orgProcedure("owner")
    .input(member)
    .mutation(({ ctx, input }) =>
      reactivateMember({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs }, { userId: input.userId }),
    ),

  remove: orgProcedure("owner")
    .input(member)
    .mutation(({ ctx, input }) =>
      removeMember({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs }, { userId: input.userId }),
    ),

  /** The checklist of a new organisation (Sites page), for every member. */
  firstSteps: orgProcedure("auditor")
    .input(z.strictObject({ orgId }))
    .query(({ ctx }) => firstSteps({ db: ctx.db, orgId: ctx.org.id })),

  /** The public invite page: what a link invites to, or why it no longer works. */
  invitation: publicProcedure
    .input(z.strictObject({ token: invitationToken }))
    .query(({ ctx, input }) => showInvitation({ db: ctx.db }, input)),

  /** A new person accepts: account, membership and accepted invitation in one transaction. */
  acceptAsNewUser: publicProcedure
    .input(acceptAsNewUserFields)
    .mutation(({ ctx, input }) => acceptAsNewUser({ db: ctx.db }, input)),

  /** A signed-in user accepts an invitation to their own address with the same account. */
  accept: protectedProcedure
    .input(z.strictObject({ token: invitationToken }))
    .mutation(({ ctx, input }) =>
      acceptAsSignedInUser(
        { db: ctx.db, user: { userId: ctx.principal.userId, email: ctx.principal.email } },
        { token: input.token },
      ),
    ),
});
