import { type Database, type Executor, eq, schema } from "@consentry/db";
import { type CameraAddressVerdict, checkUrlWithPolicy, type NetworkPolicy, type Resolver } from "./policy";

const { cameraNetworks, installationNetworkExceptions } = schema;

/** An organisation's camera networks and the installation's exceptions, as checkAddress reads them. */
export async function loadNetworkPolicy(db: Executor, orgId: string): Promise<NetworkPolicy> {
  const [networks, exceptions] = await Promise.all([
    db
      .select({ cidr: cameraNetworks.cidr, portFrom: cameraNetworks.portFrom, portTo: cameraNetworks.portTo })
      .from(cameraNetworks)
      .where(eq(cameraNetworks.orgId, orgId)),
    db
      .select({
        cidr: installationNetworkExceptions.cidr,
        portFrom: installationNetworkExceptions.portFrom,
        portTo: installationNetworkExceptions.portTo,
      })
      .from(installationNetworkExceptions),
  ]);
  return { networks, exceptions };
}

/**
 * May the hub connect to this camera URL for this organisation, now? Call it right before
 * connecting (probe, gateway, inference) and connect to the answer's `url`, whose host is the
 * checked IP literal.
 */
export async function checkCameraUrl(
  db: Database | Executor,
  orgId: string,
  rtspUrl: string,
  resolve?: Resolver,
): Promise<CameraAddressVerdict> {
  return checkUrlWithPolicy(await loadNetworkPolicy(db, orgId), rtspUrl, resolve);
}
