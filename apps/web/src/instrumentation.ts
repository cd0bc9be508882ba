// Next.js calls register() once when the server starts (`next start`, `next dev`; not during
// `next build`). Loading the environment here makes a server without real secrets refuse at
// start, with the message from @consentry/env, instead of at its first request.
export async function register() {
  // biome-ignore lint/style/noProcessEnv: NEXT_RUNTIME is set by Next.js itself; the edge runtime has no process.exit.
  if (process.env.NEXT_RUNTIME === "nodejs") await import("@consentry/env");
}
