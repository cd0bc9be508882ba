import { router } from "../trpc";

/** An organisation's OIDC single sign-on settings (issue #16.5). */
export const ssoRouter = router({});
