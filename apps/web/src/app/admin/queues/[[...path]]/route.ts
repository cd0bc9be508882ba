import { writeAudit } from "@consentry/db";
import { principalFromHeaders } from "~/server/principal";
import { queueBoard } from "~/server/queue-board";
import { db } from "~/server/services";

/**
 * The queue UI (bull-board) for platform administrators only. Job data can name people by
 * pseudonym, so everyone else gets a 404; every change made through it (retry, remove) is audited.
 */
async function handler(request: Request) {
  const principal = await principalFromHeaders(request.headers);
  if (!principal?.isPlatformAdmin) return new Response("Not found", { status: 404 });
  const response = await queueBoard().fetch(request);
  if (request.method !== "GET" && response.ok) {
    await db.transaction((tx) =>
      writeAudit(tx, {
        actor: { userId: principal.userId, label: principal.email },
        orgId: null,
        action: "queue.admin",
        targetType: "queue",
        details: { method: request.method, path: new URL(request.url).pathname },
      }),
    );
  }
  return response;
}

export { handler as DELETE, handler as GET, handler as PATCH, handler as POST, handler as PUT };
