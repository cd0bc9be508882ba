import { router } from "../trpc";

/** Members of an organisation and their invitations (issue #16.2). */
export const membersRouter = router({});
