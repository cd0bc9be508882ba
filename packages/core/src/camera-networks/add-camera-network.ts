import { type AuditActor, type Database, schema, writeAudit } from "@consentry/db";
import { fieldError, isUniqueViolation } from "../errors";
import type { CameraNetworkFields } from "./fields";

const { cameraNetworks } = schema;

/** An owner adds a network the organisation's cameras may be in. */
export async function addCameraNetwork(
  deps: { db: Database; actor: AuditActor; orgId: string },
  input: CameraNetworkFields,
) {
  try {
    return await deps.db.transaction(async (tx) => {
      const [network] = await tx
        .insert(cameraNetworks)
        .values({ ...input, orgId: deps.orgId, createdBy: deps.actor.userId })
        .returning({ id: cameraNetworks.id, cidr: cameraNetworks.cidr });
      if (!network) throw new Error("insert returned no row");
      await writeAudit(tx, {
        actor: deps.actor,
        orgId: deps.orgId,
        action: "camera_network.add",
        targetType: "camera_network",
        targetId: network.id,
        details: input,
      });
      return network;
    });
  } catch (error) {
    if (isUniqueViolation(error, "camera_networks_org_cidr_ports_unique")) {
      throw fieldError("conflict", "cidr", "networkDuplicate", "This network is already listed.");
    }
    throw error;
  }
}
