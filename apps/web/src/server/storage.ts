import "server-only";
import { env } from "@consentry/env";
import { createFileStore } from "@consentry/storage";

export const storage = createFileStore(env.CONSENTRY_STORAGE_DIR);
