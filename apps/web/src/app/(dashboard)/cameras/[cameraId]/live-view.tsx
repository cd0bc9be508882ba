"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState } from "react";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Button } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

type Player = { destroy(): void };
type State = { kind: "idle" } | { kind: "connecting" } | { kind: "playing" } | { kind: "failed"; message: string };
/** A refused or dead stream shows no error in the browser (close code 1006): give up after this. */
const FIRST_FRAME_TIMEOUT_MS = 20_000;

/**
 * Live picture through the gateway: a one-minute ticket from the API (role, tenant, audited),
 * then JSMpeg decodes MPEG-1 from the WebSocket onto a canvas. Nothing plays until asked.
 */
export function LiveView({ cameraId }: { cameraId: string }) {
  const t = useTranslations("cameras");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const canvas = useRef<HTMLCanvasElement>(null);
  const player = useRef<Player | null>(null);
  const [state, setState] = useState<State>({ kind: "idle" });
  const ticket = useMutation(trpc.cameras.liveViewToken.mutationOptions());

  const stop = useCallback(() => {
    player.current?.destroy();
    player.current = null;
  }, []);
  useEffect(() => stop, [stop]);

  useEffect(() => {
    if (state.kind !== "connecting") return;
    const timer = setTimeout(() => {
      stop();
      setState({ kind: "failed", message: t("liveConnecting") });
    }, FIRST_FRAME_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [state.kind, t, stop]);

  async function start() {
    stop();
    setState({ kind: "connecting" });
    try {
      const { url } = await ticket.mutateAsync({ orgId, cameraId });
      const { default: JSMpeg } = await import("@cycjimmy/jsmpeg-player");
      player.current = new JSMpeg.Player(url, {
        canvas: canvas.current ?? undefined,
        audio: false,
        // Canvas 2D: works without a GPU, and the picture can be read back (tests, snapshots).
        disableGl: true,
        // A reconnect would reuse an expired ticket; the user starts again instead.
        reconnectInterval: 0,
        onVideoDecode: () => setState((current) => (current.kind === "connecting" ? { kind: "playing" } : current)),
      });
    } catch (error) {
      setState({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
    }
  }

  const active = state.kind === "connecting" || state.kind === "playing";
  return (
    <div className="space-y-3">
      <div className="relative aspect-video w-full overflow-hidden rounded-md bg-slate-900">
        <canvas ref={canvas} data-testid="live-canvas" className="h-full w-full object-contain" />
        {state.kind === "connecting" && (
          <span className="absolute inset-0 flex items-center justify-center text-sm text-slate-200">
            {t("liveConnecting")}
          </span>
        )}
      </div>
      {state.kind === "failed" && <Alert>{t("liveError", { message: state.message })}</Alert>}
      <div className="flex items-center justify-between gap-3">
        <p className="text-xs text-slate-500">{t("liveNotice")}</p>
        {active ? (
          <Button
            variant="secondary"
            onClick={() => {
              stop();
              setState({ kind: "idle" });
            }}
          >
            {t("liveStop")}
          </Button>
        ) : (
          <Button onClick={start}>{t("liveStart")}</Button>
        )}
      </div>
    </div>
  );
}
