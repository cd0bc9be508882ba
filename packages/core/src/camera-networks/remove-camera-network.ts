import { type AuditActor, and, type Database, eq, schema, writeAudit } from "@consentry/db";
import { notFound } from "../errors";

const { cameraNetworks } = schema;

/**
 * An owner removes a network. Cameras in it stay registered but the probe, the gateway and
 * the inference worker refuse to connect to them from now on.
 */
export async function removeCameraNetwork(
  deps: { db: Database; actor: AuditActor; orgId: string },
  input: { networkId: string },
) {
  return deps.db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(cameraNetworks)
      .where(and(eq(cameraNetworks.id, input.networkId), eq(cameraNetworks.orgId, deps.orgId)))
      .returning();
    if (!removed) notFound("Camera network");
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "camera_network.remove",
      targetType: "camera_network",
      targetId: removed.id,
      details: { cidr: removed.cidr, portFrom: removed.portFrom, portTo: removed.portTo, note: removed.note },
    });
    return { id: removed.id };
  });
}
