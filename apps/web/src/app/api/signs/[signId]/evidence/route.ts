import { MAX_PHOTO_BYTES } from "@consentry/core/validators";
import type { NextRequest } from "next/server";
import { requestApi } from "~/server/caller";
import { errorResponse } from "~/server/route-errors";
import { storage } from "~/server/storage";

type Params = { params: Promise<{ signId: string }> };

/** The sign's evidence photo, for members of its organisation (`?orgId=`). */
export async function GET(request: NextRequest, { params }: Params) {
  const { signId } = await params;
  try {
    const api = await requestApi(request);
    const { key, sha256 } = await api.signs.evidence({
      orgId: request.nextUrl.searchParams.get("orgId") ?? "",
      signId,
    });
    if (request.headers.get("if-none-match") === `"${sha256}"`) return new Response(null, { status: 304 });
    return new Response(new Uint8Array(await storage.read(key)), {
      headers: {
        "Content-Type": "image/jpeg",
        "Cache-Control": "private, max-age=3600",
        ETag: `"${sha256}"`,
        "X-Content-SHA256": sha256,
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}

/** Uploads a new evidence photo (multipart field `photo`). */
export async function POST(request: NextRequest, { params }: Params) {
  const { signId } = await params;
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_PHOTO_BYTES + 64 * 1024) {
    return Response.json(
      { error: "The photo is larger than 10 MB.", field: "photo", reason: "fileTooLarge" },
      { status: 413 },
    );
  }
  try {
    const form = await request.formData().catch(() => null);
    const photo = form?.get("photo");
    if (!(photo instanceof File)) {
      return Response.json({ error: "Choose a photo to upload.", field: "photo", reason: "required" }, { status: 400 });
    }
    const api = await requestApi(request);
    const result = await api.signs.attachEvidence({
      orgId: request.nextUrl.searchParams.get("orgId") ?? "",
      signId,
      photo: new Uint8Array(await photo.arrayBuffer()),
    });
    return Response.json(result);
  } catch (error) {
    return errorResponse(error);
  }
}
