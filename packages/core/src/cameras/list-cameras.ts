import { and, asc, count, type Database, desc, eq, escapeLike, ilike, type SQL, schema, sql } from "@consentry/db";
import type { LeaseReader } from "@consentry/queue";
import type { z } from "zod";
import type { cameraListFilter } from "../validators";
import { inferenceStates } from "./inference-states";
import { cameraListColumns } from "./list-columns";

const { cameras, sites } = schema;

export type CameraListFilter = z.infer<typeof cameraListFilter>;

const SORT_COLUMNS = {
  name: cameras.name,
  site: sites.name,
  status: cameras.status,
  lastSeen: cameras.lastSeenAt,
} as const;

/** The fleet page: filters, search, sort and pages, all in PostgreSQL, with what the workers do with each camera. */
export async function listCameras(deps: { db: Database; orgId: string; leases: LeaseReader }, input: CameraListFilter) {
  const conditions: SQL[] = [eq(cameras.orgId, deps.orgId)];
  if (input.siteId) conditions.push(eq(cameras.siteId, input.siteId));
  if (input.status) conditions.push(eq(cameras.status, input.status));
  if (input.frEnabled !== undefined) conditions.push(eq(cameras.frEnabled, input.frEnabled));
  if (input.search) conditions.push(ilike(cameras.name, `%${escapeLike(input.search)}%`));
  const where = and(...conditions);
  const order = input.direction === "asc" ? asc : desc;
  const sortColumn = SORT_COLUMNS[input.sort];
  const [items, [total]] = await Promise.all([
    deps.db
      .select(cameraListColumns)
      .from(cameras)
      .innerJoin(sites, eq(sites.id, cameras.siteId))
      .where(where)
      .orderBy(
        input.sort === "lastSeen" ? sql`${sortColumn} ${sql.raw(input.direction)} nulls last` : order(sortColumn),
        asc(cameras.id),
      )
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    deps.db.select({ value: count() }).from(cameras).where(where),
  ]);
  // Each camera's `inference`: analysed, waiting (for an inference worker) or retrying (stream failing).
  const inference = await inferenceStates(deps.leases, items);
  return {
    items: items.map((item) => ({ ...item, inference: inference.stateOf(item.id) })),
    total: total?.value ?? 0,
    page: input.page,
    pageSize: input.pageSize,
    waitingForWorker: inference.waitingForWorker,
  };
}
