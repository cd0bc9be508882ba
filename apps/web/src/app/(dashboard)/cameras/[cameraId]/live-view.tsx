"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState } from "react";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Button } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { type LiveViewPurpose, LiveViewReasonDialog } from "./live-view-reason";

type Player = { destroy(): void };
type State =
  | { kind: "idle" }
  | { kind: "connecting"; reconnecting: boolean }
  | { kind: "playing" }
  | { kind: "failed"; message: string }
  | { kind: "ended"; message: string };
/** A stream that opens but never decodes (no keyframe, stalled camera): give up after this. */
const FIRST_FRAME_TIMEOUT_MS = 20_000;
/** A stream lost while playing (gateway restart, network) is reopened, each time with a fresh ticket. */
const MAX_RECONNECTS = 3;
const RECONNECT_DELAY_MS = 2_000;

/**
 * Close codes the gateway ends a stream with when the viewer may no longer watch
 * (REVOKED in apps/gateway/src/access.ts); reconnecting would not help.
 */
const REVOKED_CODES = {
  4401: "accessRevoked",
  4403: "addressRefused",
  4404: "cameraDeleted",
  4410: "cameraDisabled",
} as const;
const revokedReason = (code: number) => REVOKED_CODES[code as keyof typeof REVOKED_CODES];

/**
 * Live picture through the gateway: the viewer says why (the video-access register), then a
 * one-minute, single-use ticket from the API (role, tenant, audited), then JSMpeg decodes MPEG-1
 * from the WebSocket onto a canvas. Nothing plays until asked.
 */
export function LiveView({ cameraId }: { cameraId: string }) {
  const t = useTranslations("cameras");
  const tLive = useTranslations("liveView");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const canvas = useRef<HTMLCanvasElement>(null);
  const player = useRef<Player | null>(null);
  // Numbers each connection: events of one stopped or replaced since are ignored.
  const generation = useRef(0);
  const reconnects = useRef(0);
  const reconnectTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [state, setState] = useState<State>({ kind: "idle" });
  const [asking, setAsking] = useState(false);
  // The reason given when the viewer opened the stream; a reconnect's fresh ticket carries it too.
  const purpose = useRef<LiveViewPurpose | null>(null);
  const { mutateAsync: requestTicket } = useMutation(trpc.cameras.liveViewToken.mutationOptions());

  const stop = useCallback(() => {
    generation.current++;
    clearTimeout(reconnectTimer.current);
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

  const connect = useCallback(
    async (reconnecting: boolean, ticketUrl?: string) => {
      stop();
      const current = generation.current;
      setState({ kind: "connecting", reconnecting });

      const onClosed = (event: CloseEvent, streamed: boolean) => {
        if (current !== generation.current) return;
        const revoked = revokedReason(event.code);
        if (revoked || (event.code >= 4000 && event.code < 5000)) {
          stop();
          setState({ kind: "ended", message: revoked ? tLive(`closed.${revoked}`) : event.reason });
        } else if (!streamed) {
          // A refused upgrade (expired or used ticket, no permission, gateway down) reaches the browser as 1006 only.
          stop();
          setState({ kind: "failed", message: tLive("closed.refused") });
        } else if (reconnects.current >= MAX_RECONNECTS) {
          stop();
          setState({ kind: "failed", message: tLive("closed.lost") });
        } else {
          reconnects.current++;
          stop();
          setState({ kind: "connecting", reconnecting: true });
          reconnectTimer.current = setTimeout(() => void connect(true), RECONNECT_DELAY_MS);
        }
      };

      try {
        // Tickets are single use: every connection, a reconnect too, gets a fresh one.
        const given = purpose.current;
        if (!ticketUrl && !given) throw new Error(tLive("askTitle"));
        const url = ticketUrl ?? (await requestTicket({ orgId, cameraId, ...(given as LiveViewPurpose) })).url;
        const { default: JSMpeg } = await import("@cycjimmy/jsmpeg-player");
        if (current !== generation.current) return;
        // JSMpeg's own source ignores how the socket closed; this one reports it.
        class ReportingSource extends JSMpeg.Source.WebSocket {
          override onClose(event?: Event) {
            super.onClose(event);
            if (event instanceof CloseEvent) onClosed(event, this.established);
          }
        }
        player.current = new JSMpeg.Player(url, {
          canvas: canvas.current ?? undefined,
          audio: false,
          // Canvas 2D: works without a GPU, and the picture can be read back (tests, snapshots).
          disableGl: true,
          // JSMpeg would reconnect with the spent ticket; onClosed reconnects with a fresh one.
          reconnectInterval: 0,
          source: ReportingSource,
          onVideoDecode: () => {
            reconnects.current = 0;
            setState((shown) => (shown.kind === "connecting" ? { kind: "playing" } : shown));
          },
        });
      } catch (error) {
        if (current !== generation.current) return;
        setState({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
      }
    },
    [stop, requestTicket, orgId, cameraId, tLive],
  );

  const active = state.kind === "connecting" || state.kind === "playing";
  return (
    <div className="space-y-3">
      <div className="relative aspect-video w-full overflow-hidden rounded-md bg-slate-900">
        <canvas ref={canvas} data-testid="live-canvas" className="h-full w-full object-contain" />
        {state.kind === "connecting" && (
          <span className="absolute inset-0 flex items-center justify-center text-sm text-slate-200">
            {state.reconnecting ? tLive("reconnecting") : t("liveConnecting")}
          </span>
        )}
      </div>
      {state.kind === "failed" && <Alert>{t("liveError", { message: state.message })}</Alert>}
      {state.kind === "ended" && <Alert tone="amber">{state.message}</Alert>}
      <div className="flex items-center justify-between gap-3">
        <p className="text-xs text-slate-500">{tLive("notice")}</p>
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
          <Button onClick={() => setAsking(true)}>{t("liveStart")}</Button>
        )}
      </div>
      {asking && (
        <LiveViewReasonDialog
          onCancel={() => setAsking(false)}
          onConfirm={async (given) => {
            // The first ticket is requested here, so its errors show in the dialog.
            const { url } = await requestTicket({ orgId, cameraId, ...given });
            purpose.current = given;
            reconnects.current = 0;
            setAsking(false);
            void connect(false, url);
          }}
        />
      )}
    </div>
  );
}
