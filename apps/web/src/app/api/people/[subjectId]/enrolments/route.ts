import { MAX_PHOTO_BYTES } from "@consentry/core/validators";
import type { NextRequest } from "next/server";
import { requestApi } from "~/server/caller";
import { errorResponse } from "~/server/route-errors";

const MAX_PHOTOS = 10;

/** Enrols a consenting person from photos (multipart: `siteId`, `photos`), as the signed-in manager. */
export async function POST(request: NextRequest, { params }: { params: Promise<{ subjectId: string }> }) {
  const { subjectId } = await params;
  if (Number(request.headers.get("content-length") ?? 0) > MAX_PHOTOS * MAX_PHOTO_BYTES + 256 * 1024) {
    return Response.json(
      { error: "The photos are too large.", field: "photos", reason: "fileTooLarge" },
      { status: 413 },
    );
  }
  const form = await request.formData().catch(() => null);
  const photos = form?.getAll("photos").filter((entry): entry is File => entry instanceof File && entry.size > 0) ?? [];
  if (photos.length === 0) {
    return Response.json({ error: "Choose at least one photo.", field: "photos", reason: "required" }, { status: 400 });
  }
  try {
    const api = await requestApi(request);
    const result = await api.enrolments.create({
      orgId: request.nextUrl.searchParams.get("orgId") ?? "",
      subjectId,
      siteId: String(form?.get("siteId") ?? ""),
      photos: await Promise.all(photos.map(async (photo) => new Uint8Array(await photo.arrayBuffer()))),
    });
    return Response.json(result);
  } catch (error) {
    return errorResponse(error);
  }
}
