import { asc, type Database, eq, schema } from "@consentry/db";
import { reservedOverlaps } from "@consentry/network";

const { cameraNetworks, users } = schema;

/** The organisation's camera networks, newest last; `reserved` names reserved ranges inside, which stay refused. */
export async function listCameraNetworks(deps: { db: Database; orgId: string }) {
  const rows = await deps.db
    .select({
      id: cameraNetworks.id,
      cidr: cameraNetworks.cidr,
      portFrom: cameraNetworks.portFrom,
      portTo: cameraNetworks.portTo,
      note: cameraNetworks.note,
      createdAt: cameraNetworks.createdAt,
      createdBy: users.name,
    })
    .from(cameraNetworks)
    .leftJoin(users, eq(users.id, cameraNetworks.createdBy))
    .where(eq(cameraNetworks.orgId, deps.orgId))
    .orderBy(asc(cameraNetworks.createdAt), asc(cameraNetworks.cidr));
  return rows.map((row) => ({ ...row, reserved: reservedOverlaps(row.cidr) }));
}
