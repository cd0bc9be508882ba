import { VIDEO_ACCESS_REASONS } from "@consentry/db/values";
import { z } from "zod";
import { storableDate, text } from "../validators/common";

export const VIDEO_ACCESS_NOTE_MAX = 500;

/** Control characters (C0, DEL, C1): a one-line note has no use for them and a CSV or log line could be broken by them. */
const CONTROL_CHARACTER = /\p{Cc}/u;

/**
 * Why someone opens a camera's live video: one of the reasons, and a short note, required for
 * "other". An empty note is no note.
 */
export const liveViewRequest = z
  .object({
    cameraId: z.uuid(),
    reason: z.enum(VIDEO_ACCESS_REASONS, { error: "videoAccessReason" }),
    note: text()
      .trim()
      .max(VIDEO_ACCESS_NOTE_MAX)
      .refine((value) => !CONTROL_CHARACTER.test(value), { error: "controlCharacter" })
      .optional()
      .transform((value) => value || undefined),
  })
  .superRefine((value, ctx) => {
    if (value.reason === "other" && !value.note) {
      ctx.addIssue({ code: "custom", path: ["note"], message: "videoAccessNoteRequired" });
    }
  });
export type LiveViewRequest = z.input<typeof liveViewRequest>;

/** An empty filter field means "any", so a cleared form input filters nothing. */
const optionalFilter = (max: number) =>
  text()
    .trim()
    .max(max)
    .optional()
    .transform((value) => value || undefined);

export const videoAccessFilter = z.object({
  /** One camera (the camera page's panel): must be the organisation's. */
  cameraId: z.uuid().optional(),
  /** Part of the camera's name (as it was when watched), literally, any case. */
  camera: optionalFilter(200),
  /** Part of the viewer's label (email), literally, any case. */
  viewer: optionalFilter(200),
  reason: z.enum(VIDEO_ACCESS_REASONS).optional(),
  /** Requested at or after / at or before. */
  from: storableDate().optional(),
  to: storableDate().optional(),
});

export const listVideoAccessInput = videoAccessFilter.extend({
  /** The id of the last row already shown: the next page holds older rows only. */
  cursor: z.uuid().optional(),
  limit: z.int().min(1).max(100).default(50),
});

export type VideoAccessFilter = Partial<z.output<typeof videoAccessFilter>>;
export type ListVideoAccessInput = Partial<z.output<typeof listVideoAccessInput>>;
