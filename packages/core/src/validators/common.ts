import { z } from "zod";

export const pageInput = z.object({
  page: z.int().min(1).max(10_000).default(1),
  pageSize: z.int().min(1).max(100).default(20),
});
