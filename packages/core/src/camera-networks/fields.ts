import { canonicalCidr } from "@consentry/network";
import { z } from "zod";
import { text } from "../validators/common";

const port = z.number().int().min(1, { error: "portRange" }).max(65535, { error: "portRange" });

/** A network as an owner or platform admin types it: CIDR, and optionally a port range. */
export const networkRuleFields = z
  .object({
    cidr: text()
      .trim()
      .min(1)
      .max(64)
      .refine((value) => canonicalCidr(value) !== null, { error: "cidrInvalid" })
      .transform((value) => canonicalCidr(value) as string),
    portFrom: port.nullable().default(null),
    portTo: port.nullable().default(null),
  })
  .superRefine((value, ctx) => {
    if ((value.portFrom === null) !== (value.portTo === null)) {
      ctx.addIssue({ code: "custom", path: [value.portFrom === null ? "portFrom" : "portTo"], message: "portBoth" });
    } else if (value.portFrom !== null && value.portTo !== null && value.portFrom > value.portTo) {
      ctx.addIssue({ code: "custom", path: ["portTo"], message: "portOrder" });
    }
  });

export const cameraNetworkFields = networkRuleFields.safeExtend({
  note: text().trim().max(200).nullable().default(null),
});
export type CameraNetworkFields = z.infer<typeof cameraNetworkFields>;

export const networkExceptionFields = networkRuleFields.safeExtend({ reason: text().trim().min(1).max(200) });
export type NetworkExceptionFields = z.infer<typeof networkExceptionFields>;
