import { notFound } from "next/navigation";
import { z } from "zod";

const uuid = z.uuid();

/**
 * A route's id segment. Anything but a UUID names a page that does not exist: the bilingual
 * "not found" page, never a validation error from the API.
 */
export function idParam(value: string): string {
  if (!uuid.safeParse(value).success) notFound();
  return value;
}
