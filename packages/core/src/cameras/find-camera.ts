import { and, type Executor, eq, schema } from "@consentry/db";
import { notFound } from "../errors";

const { cameras } = schema;

/** A camera of this organisation, or NOT_FOUND: the only way into a camera's row. */
export async function findCamera(db: Executor, orgId: string, id: string) {
  const [camera] = await db
    .select()
    .from(cameras)
    .where(and(eq(cameras.id, id), eq(cameras.orgId, orgId)));
  return camera ?? notFound("Camera");
}
