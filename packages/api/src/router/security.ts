import { router } from "../trpc";

/** The organisation's sign-in rules, for owners: two-factor required (issue #16.4). */
export const securityRouter = router({});
