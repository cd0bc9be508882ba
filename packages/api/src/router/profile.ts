import { router } from "../trpc";

/** The signed-in user's own account: password, sessions, two-factor (issue #16.3, #16.4). */
export const profileRouter = router({});
