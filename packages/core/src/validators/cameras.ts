import { CAMERA_LOCATION_TYPES, CAMERA_STATUSES } from "@consentry/db/values";
import { z } from "zod";
import { pageInput, text } from "./common";

export { CAMERA_LOCATION_TYPES, CAMERA_STATUSES };

// Characters that mean something to a shell or would split an argument. ffmpeg is always
// spawned with an argument array, but such a URL is never a real camera: refuse it outright.
const UNSAFE_CHARACTERS = /[\s;|&$`<>"'\\(){}*!^]/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const IPV6 = /^\[[0-9a-f:.]+\]$/i;

/** Why an RTSP URL is refused, as a message key (apps/web/messages, "validation"); null if fine. */
export function rtspUrlProblem(value: string): string | null {
  const hasControlCharacter = [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (UNSAFE_CHARACTERS.test(value) || hasControlCharacter) return "rtspCharacters";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "rtspInvalid";
  }
  if (url.protocol !== "rtsp:" && url.protocol !== "rtsps:") return "rtspScheme";
  if (!url.hostname || !(HOSTNAME.test(url.hostname) || IPV6.test(url.hostname))) return "rtspHost";
  // URL drops a default port and refuses ports above 65535; port 0 is the one left to catch.
  if (url.port === "0") return "rtspPort";
  if (decodeURIComponent(url.password) === "***") return "rtspMaskedPassword";
  return null;
}

export const rtspUrl = text()
  .trim()
  .min(1)
  .max(2048)
  .superRefine((value, ctx) => {
    const problem = rtspUrlProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** The URL with its password replaced by ***; safe to show, log and export. */
export function maskRtspUrl(value: string): string {
  const url = new URL(value);
  if (url.password) url.password = "***";
  return url.toString();
}

export const cameraFields = z.object({
  name: text().trim().min(1).max(120),
  siteId: z.uuid(),
  entryPointId: z.uuid().nullable(),
  locationType: z.enum(CAMERA_LOCATION_TYPES),
  frEnabled: z.boolean(),
  analysisFps: z.number().min(0.5).max(30),
  rtspUrl,
});
export type CameraFields = z.infer<typeof cameraFields>;

/** On edit the URL may be left out: the API never returns the stored one, so blank keeps it. */
export const cameraUpdateFields = cameraFields.extend({ rtspUrl: rtspUrl.optional() });

export const CAMERA_SORTS = ["name", "site", "status", "lastSeen"] as const;

/** The fleet list pages by cursor (keyset), never by page number: OFFSET over 100,000 cameras reads them all. */
export const cameraListFilter = z.object({
  pageSize: pageInput.shape.pageSize,
  /** `nextCursor` of the previous page; absent for the first page. */
  cursor: text().max(2000).optional(),
  search: text().trim().max(120).optional(),
  siteId: z.uuid().optional(),
  status: z.enum(CAMERA_STATUSES).optional(),
  frEnabled: z.boolean().optional(),
  sort: z.enum(CAMERA_SORTS).default("name"),
  direction: z.enum(["asc", "desc"]).default("asc"),
});

/** CSV import: at most this much text and these many rows in one all-or-nothing batch. */
export const CSV_MAX_BYTES = 2_000_000;
export const CSV_MAX_ROWS = 5_000;
export const cameraCsvInput = z.object({ csv: text().min(1).max(CSV_MAX_BYTES) });
export const CAMERA_CSV_COLUMNS = [
  "name",
  "site_code",
  "entry_point",
  "location_type",
  "fr_enabled",
  "analysis_fps",
  "rtsp_url",
] as const;
