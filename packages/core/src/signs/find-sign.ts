import { and, type Executor, eq, schema } from "@consentry/db";
import { notFound } from "../errors";

const { signs } = schema;

/** The organisation's sign, or notFound. */
export async function findSign(db: Executor, orgId: string, id: string) {
  const [sign] = await db
    .select()
    .from(signs)
    .where(and(eq(signs.id, id), eq(signs.orgId, orgId)));
  return sign ?? notFound("Sign");
}
