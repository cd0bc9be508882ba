import { readEventSnapshot } from "@consentry/core/sites";
import type { NextRequest } from "next/server";
import { requestApi } from "~/server/caller";
import { errorResponse } from "~/server/route-errors";
import { storage } from "~/server/storage";

type Params = { params: Promise<{ eventId: string }> };

/**
 * A recognition event's snapshot (every face but the recognised person's blurred), for operators
 * and up of its organisation (`?orgId=`), decrypted here and never cached: the file on disk is
 * sealed, and goes with the event.
 */
export async function GET(request: NextRequest, { params }: Params) {
  const { eventId } = await params;
  // Event ids are positive integers: anything else names no event.
  if (!/^[1-9]\d{0,14}$/.test(eventId)) {
    return Response.json({ error: "Snapshot not found.", code: "NOT_FOUND" }, { status: 404 });
  }
  try {
    const api = await requestApi(request);
    const { key } = await api.recognition.snapshot({
      orgId: request.nextUrl.searchParams.get("orgId") ?? "",
      eventId: Number(eventId),
    });
    return new Response(new Uint8Array(await readEventSnapshot(storage, key)), {
      headers: {
        "Content-Type": "image/jpeg",
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (error) {
    // Removed a moment ago (retention, erasure) while its row was still read: gone, as the event soon is.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return Response.json({ error: "Snapshot not found.", code: "NOT_FOUND" }, { status: 404 });
    }
    return errorResponse(error);
  }
}
