import { protectedProcedure, publicProcedure, router } from "../trpc";

export const viewerRouter = router({
  /** Null when signed out; the web app uses it to pick what to show. */
  session: publicProcedure.query(({ ctx }) => ctx.principal),
  me: protectedProcedure.query(({ ctx }) => ctx.principal),
});
