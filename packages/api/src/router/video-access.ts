import { router } from "../trpc";

/** The video-access register: who watched which camera's live video, and why (issue #16.7). */
export const videoAccessRouter = router({});
