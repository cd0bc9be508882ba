"use client";

import type { RouterOutputs } from "@consentry/api";
import { roleAtLeast } from "@consentry/auth/roles";
import { SIGN_LANGUAGES, signFields } from "@consentry/core/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useNow, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useDialogForm } from "~/components/dialog-form";
import { FormActions } from "~/components/form-actions";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, EmptyState, Field, Input, Table, Td } from "~/components/ui";
import { dateInputValue } from "~/i18n/locales";
import { useTRPC } from "~/trpc/react";
import { EditDeleteButtons, Section } from "./section";

/** Signs older than this since their last check count as unverified (CN-CAM-02). */
const VERIFY_MAX_AGE_DAYS = 90;
const DAY = 86_400_000;

type Sign = RouterOutputs["signs"]["list"][number];

export function SignsSection({ siteId }: { siteId: string }) {
  const t = useTranslations("registry");
  const format = useFormatter();
  const now = useNow({ updateInterval: 60_000 });
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  // null: no dialog; "new": adding; a sign: editing it.
  const [editing, setEditing] = useState<Sign | "new" | null>(null);
  const signs = useQuery(trpc.signs.list.queryOptions({ orgId: org.orgId, siteId }));
  const cameras = useQuery(trpc.cameras.list.queryOptions({ orgId: org.orgId, siteId, pageSize: 100 }));
  const cameraName = new Map(cameras.data?.items.map((camera) => [camera.id, camera.name]));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries(trpc.signs.pathFilter()),
      queryClient.invalidateQueries({ queryKey: [["compliance"]] }),
    ]);
  const verify = useMutation(trpc.signs.verify.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.signs.delete.mutationOptions({ onSuccess: refresh }));

  return (
    <Section
      id="signs"
      title={t("signs")}
      action={
        roleAtLeast(org.role, "manager") && (
          <Button variant="secondary" onClick={() => setEditing("new")}>
            {t("addSign")}
          </Button>
        )
      }
    >
      {(verify.error ?? remove.error) && <Alert>{(verify.error ?? remove.error)?.message}</Alert>}
      {signs.data?.length === 0 ? (
        <EmptyState title={t("noSigns")} />
      ) : (
        <Table head={[t("signLocation"), t("coveredCameras"), t("languages"), t("evidence"), t("verifiedAt"), ""]}>
          {signs.data?.map((sign) => {
            const stale = !sign.verifiedAt || now.getTime() - sign.verifiedAt.getTime() > VERIFY_MAX_AGE_DAYS * DAY;
            return (
              <tr key={sign.id} data-testid="sign-row">
                <Td>
                  <div className="font-medium">{sign.location}</div>
                  <div className="max-w-xs truncate text-xs text-slate-500">{sign.text}</div>
                </Td>
                <Td>{sign.cameraIds.map((id) => cameraName.get(id) ?? "…").join(", ") || t("none")}</Td>
                <Td className="text-xs">{sign.languages.join(", ")}</Td>
                <Td>
                  <EvidenceCell sign={sign} onUploaded={refresh} />
                </Td>
                <Td className="whitespace-nowrap">
                  {sign.verifiedAt ? format.dateTime(sign.verifiedAt, { dateStyle: "medium" }) : t("none")}{" "}
                  {stale && <Badge tone="amber">{t("stale")}</Badge>}
                </Td>
                <Td className="whitespace-nowrap text-right">
                  {roleAtLeast(org.role, "operator") && (
                    <Button
                      variant="ghost"
                      disabled={verify.isPending}
                      onClick={() => verify.mutate({ orgId: org.orgId, signId: sign.id })}
                    >
                      {t("verifyNow")}
                    </Button>
                  )}
                  {roleAtLeast(org.role, "manager") && (
                    <EditDeleteButtons
                      onEdit={() => setEditing(sign)}
                      onDelete={() => remove.mutate({ orgId: org.orgId, signId: sign.id })}
                      confirmText={t("confirmDeleteSign", { location: sign.location })}
                      deleting={remove.isPending}
                    />
                  )}
                </Td>
              </tr>
            );
          })}
        </Table>
      )}
      {editing && (
        <SignForm
          siteId={siteId}
          sign={editing === "new" ? null : editing}
          cameras={cameras.data?.items ?? []}
          onClose={() => setEditing(null)}
        />
      )}
    </Section>
  );
}

/** The evidence photo's thumbnail, and for operators an upload that replaces it. */
function EvidenceCell({ sign, onUploaded }: { sign: Sign; onUploaded: () => Promise<unknown> }) {
  const t = useTranslations("registry");
  const tv = useTranslations("validation");
  const org = useActiveOrg();
  const [state, setState] = useState<{ uploading: boolean; error: string | null }>({ uploading: false, error: null });
  const url = `/api/signs/${sign.id}/evidence?orgId=${org.orgId}`;

  async function upload(file: File) {
    setState({ uploading: true, error: null });
    const body = new FormData();
    body.set("photo", file);
    const response = await fetch(url, { method: "POST", body }).catch(() => null);
    if (response?.ok) {
      await onUploaded();
      setState({ uploading: false, error: null });
      return;
    }
    const problem = (await response?.json().catch(() => null)) as { reason?: string; error?: string } | null;
    const reason = problem?.reason;
    setState({
      uploading: false,
      error: reason && tv.has(reason) ? tv(reason) : (problem?.error ?? tv("invalid")),
    });
  }

  return (
    <div className="flex items-center gap-2">
      {sign.hasEvidence ? (
        <a href={url} target="_blank" rel="noreferrer">
          {/* biome-ignore lint/performance/noImgElement: a private photo; Next's optimiser would fetch it without the session */}
          <img
            src={`${url}&v=${sign.evidenceSha256}`}
            alt={t("evidencePhotoAlt", { location: sign.location })}
            className="h-10 w-14 rounded object-cover ring-1 ring-slate-200"
          />
        </a>
      ) : (
        <span className="text-xs text-slate-400">{t("noEvidence")}</span>
      )}
      {roleAtLeast(org.role, "operator") && (
        <label className="cursor-pointer text-xs font-medium text-blue-700 hover:underline">
          {state.uploading ? t("uploading") : sign.hasEvidence ? t("replacePhoto") : t("uploadPhoto")}
          <input
            type="file"
            accept="image/jpeg,image/png,image/webp"
            className="sr-only"
            disabled={state.uploading}
            data-testid="evidence-input"
            onChange={(event) => {
              const file = event.currentTarget.files?.[0];
              event.currentTarget.value = "";
              if (file) void upload(file);
            }}
          />
        </label>
      )}
      {state.error && (
        <p role="alert" className="text-xs text-red-600">
          {state.error}
        </p>
      )}
    </div>
  );
}

function SignForm({
  siteId,
  sign,
  cameras,
  onClose,
}: {
  siteId: string;
  sign: Sign | null;
  cameras: { id: string; name: string }[];
  onClose: () => void;
}) {
  const t = useTranslations("registry");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const { errors, mutationCallbacks, validate } = useDialogForm(onClose);
  const create = useMutation(trpc.signs.create.mutationOptions(mutationCallbacks));
  const update = useMutation(trpc.signs.update.mutationOptions(mutationCallbacks));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const values = validate(signFields, {
      siteId,
      location: form.get("location"),
      text: form.get("text"),
      languages: form.getAll("languages"),
      installedAt: form.get("installedAt"),
      cameraIds: form.getAll("cameraIds"),
      entryPointIds: sign?.entryPointIds ?? [],
    });
    if (!values) return;
    if (sign) {
      const { siteId: _siteId, ...fields } = values;
      update.mutate({ orgId, signId: sign.id, ...fields });
    } else {
      create.mutate({ orgId, ...values });
    }
  }

  return (
    <Modal title={sign ? t("editSign") : t("addSign")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field id="location" label={t("signLocation")} error={errors.location}>
          <Input autoFocus id="location" name="location" maxLength={200} defaultValue={sign?.location} />
        </Field>
        <Field id="text" label={t("signText")} error={errors.text}>
          <textarea
            id="text"
            name="text"
            maxLength={4000}
            rows={3}
            defaultValue={sign?.text}
            className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
        </Field>
        <Field id="installedAt" label={t("installedAt")} error={errors.installedAt}>
          <Input
            id="installedAt"
            name="installedAt"
            type="date"
            defaultValue={dateInputValue(sign?.installedAt ?? new Date())}
          />
        </Field>
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">{t("languages")}</legend>
          <div className="mt-1 flex flex-wrap gap-3">
            {SIGN_LANGUAGES.map((language) => (
              <label key={language} className="flex items-center gap-1.5 text-sm">
                <input
                  type="checkbox"
                  name="languages"
                  value={language}
                  defaultChecked={sign ? sign.languages.includes(language) : language === "zh-CN"}
                />
                {language}
              </label>
            ))}
          </div>
          {errors.languages && <p className="text-sm text-red-600">{errors.languages}</p>}
        </fieldset>
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">{t("coveredCameras")}</legend>
          <div className="mt-1 grid max-h-40 grid-cols-2 gap-1 overflow-y-auto">
            {cameras.map((camera) => (
              <label key={camera.id} className="flex items-center gap-1.5 text-sm">
                <input
                  type="checkbox"
                  name="cameraIds"
                  value={camera.id}
                  defaultChecked={sign?.cameraIds.includes(camera.id)}
                />
                {camera.name}
              </label>
            ))}
          </div>
          {errors.cameraIds && <p className="text-sm text-red-600">{errors.cameraIds}</p>}
        </fieldset>
        <FormActions onCancel={onClose} pending={create.isPending || update.isPending} />
      </form>
    </Modal>
  );
}
