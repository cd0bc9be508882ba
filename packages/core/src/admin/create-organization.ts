import { type AuditActor, type Database, schema, writeAudit } from "@consentry/db";
import { z } from "zod";
import { cameraNetworkFields } from "../camera-networks/fields";
import { fieldError, isUniqueViolation } from "../errors";
import { emailField } from "../members/fields";
import { createPendingInvitation, type InvitationServices, sendInvitation } from "../members/invitations";
import { organizationFields } from "../validators";

const { organizations, cameraNetworks } = schema;

/**
 * What a platform administrator types to onboard a customer: the organisation, the networks its
 * cameras may be in, and the first owner's address (invited by mail). Owner and networks are
 * optional for scripts; the Organisations page always asks for the owner.
 */
export const onboardingFields = z.strictObject({
  ...organizationFields.shape,
  ownerEmail: emailField.optional(),
  cameraNetworks: z.array(cameraNetworkFields).max(50).default([]),
});

export type OrganizationFields = z.input<typeof onboardingFields>;

/**
 * A platform administrator creates an organisation, its camera networks and its first owner's
 * invitation in one transaction; the short name (slug) must be free. The mail goes out after
 * the commit; if it fails the invitation stays pending and the owner can be sent a new link.
 */
export async function createOrganization(
  deps: { db: Database; actor: AuditActor; mail?: InvitationServices },
  fields: OrganizationFields,
) {
  const input = onboardingFields.parse(fields);
  const { ownerEmail, cameraNetworks: networks, ...organization } = input;
  try {
    const { org, invitation } = await deps.db.transaction(async (tx) => {
      const [org] = await tx.insert(organizations).values(organization).returning();
      if (!org) throw new Error("insert returned no row");
      await writeAudit(tx, {
        actor: deps.actor,
        orgId: org.id,
        action: "organization.create",
        targetType: "organization",
        targetId: org.id,
        details: input,
      });
      for (const network of networks) {
        const [row] = await tx
          .insert(cameraNetworks)
          .values({ ...network, orgId: org.id, createdBy: deps.actor.userId })
          .returning({ id: cameraNetworks.id });
        await writeAudit(tx, {
          actor: deps.actor,
          orgId: org.id,
          action: "camera_network.add",
          targetType: "camera_network",
          targetId: row?.id ?? null,
          details: network,
        });
      }
      if (!ownerEmail) return { org, invitation: null };
      const invited = await createPendingInvitation(tx, {
        orgId: org.id,
        email: ownerEmail,
        role: "owner",
        invitedBy: deps.actor.userId,
      });
      await writeAudit(tx, {
        actor: deps.actor,
        orgId: org.id,
        action: "member.invite",
        targetType: "invitation",
        targetId: invited.invitation.id,
        details: { email: ownerEmail, role: "owner", expiresAt: invited.invitation.expiresAt.toISOString() },
      });
      return { org, invitation: invited };
    });
    if (!invitation) return { ...org, invitation: null };
    if (!deps.mail) throw new Error("an owner invitation needs a mailer");
    const mailSent = await sendInvitation(deps.mail, deps.db, invitation.invitation, invitation.token);
    return {
      ...org,
      invitation: { id: invitation.invitation.id, email: invitation.invitation.email, mailSent },
    };
  } catch (error) {
    if (isUniqueViolation(error, "organizations_slug_unique")) {
      throw fieldError("conflict", "slug", "slugTaken", "This short name is taken.");
    }
    if (isUniqueViolation(error, "camera_networks_org_cidr_ports_unique")) {
      throw fieldError("conflict", "cameraNetworks", "networkDuplicate", "The same network is listed twice.");
    }
    throw error;
  }
}
