"use client";

import type { RouterOutputs } from "@consentry/api";
import { CAMERA_LOCATION_TYPES, cameraFields, cameraUpdateFields } from "@consentry/core/validators";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useDialogForm } from "~/components/dialog-form";
import { FormActions } from "~/components/form-actions";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Field, Input, Select } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

type Camera = RouterOutputs["cameras"]["byId"];

/** Add a camera (no `camera`) or edit one, including moving it to another site or entry point. */
export function CameraFormDialog({
  camera,
  defaultSiteId,
  onClose,
}: {
  camera?: Camera;
  defaultSiteId?: string;
  onClose: () => void;
}) {
  const t = useTranslations("cameras");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const placements = useQuery(trpc.cameras.placements.queryOptions({ orgId }));
  const [siteId, setSiteId] = useState(camera?.siteId ?? defaultSiteId ?? "");
  const { errors, mutationCallbacks, validate } = useDialogForm(onClose);
  const entryPoints = placements.data?.find((site) => site.id === siteId)?.entryPoints ?? [];

  const create = useMutation(trpc.cameras.create.mutationOptions(mutationCallbacks));
  const update = useMutation(trpc.cameras.update.mutationOptions(mutationCallbacks));
  const pending = create.isPending || update.isPending;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const values = validate(camera ? cameraUpdateFields : cameraFields, {
      name: form.get("name"),
      siteId: form.get("siteId"),
      entryPointId: form.get("entryPointId") || null,
      locationType: form.get("locationType"),
      frEnabled: form.get("frEnabled") === "on",
      analysisFps: Number(form.get("analysisFps")),
      rtspUrl: String(form.get("rtspUrl") ?? "").trim() || undefined,
    });
    if (!values) return;
    if (camera) update.mutate({ orgId, cameraId: camera.id, ...values });
    else create.mutate({ orgId, ...(values as typeof values & { rtspUrl: string }) });
  }

  const invalid = (field: string) =>
    errors[field] ? { "aria-invalid": true, "aria-describedby": `${field}-error` } : {};

  return (
    <Modal title={camera ? t("editTitle") : t("newTitle")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field id="name" label={t("name")} error={errors.name}>
          <Input autoFocus id="name" name="name" defaultValue={camera?.name} maxLength={120} {...invalid("name")} />
        </Field>
        <div className="grid grid-cols-2 gap-4">
          <Field id="siteId" label={t("site")} error={errors.siteId}>
            <Select
              id="siteId"
              name="siteId"
              value={siteId}
              onChange={(e) => setSiteId(e.target.value)}
              {...invalid("siteId")}
            >
              <option value="" disabled>
                …
              </option>
              {placements.data?.map((site) => (
                <option key={site.id} value={site.id}>
                  {site.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="entryPointId" label={t("entryPoint")} error={errors.entryPointId}>
            <Select
              id="entryPointId"
              name="entryPointId"
              key={siteId}
              defaultValue={camera?.siteId === siteId ? (camera?.entryPointId ?? "") : ""}
              {...invalid("entryPointId")}
            >
              <option value="">{t("noEntryPoint")}</option>
              {entryPoints.map((entry) => (
                <option key={entry.id} value={entry.id}>
                  {entry.name}
                </option>
              ))}
            </Select>
            {siteId && entryPoints.length === 0 && (
              <a href={`/sites/${siteId}#entry-points`} className="mt-1 block text-xs text-brand-700 hover:underline">
                {t("addEntryPointFirst")}
              </a>
            )}
          </Field>
        </div>
        <div className="grid grid-cols-2 gap-4">
          <Field id="locationType" label={t("location")} error={errors.locationType}>
            <Select
              id="locationType"
              name="locationType"
              defaultValue={camera?.locationType ?? "entrance"}
              {...invalid("locationType")}
            >
              {CAMERA_LOCATION_TYPES.map((location) => (
                <option key={location} value={location}>
                  {t(`locations.${location}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="analysisFps" label={t("fps")} error={errors.analysisFps}>
            <Input
              id="analysisFps"
              name="analysisFps"
              type="number"
              min={0.5}
              max={30}
              step={0.5}
              defaultValue={camera?.analysisFps ?? 5}
              {...invalid("analysisFps")}
            />
          </Field>
        </div>
        <Field
          id="rtspUrl"
          label={t("rtspUrl")}
          hint={camera ? t("rtspKeepHint", { masked: camera.rtspUrlMasked }) : t("rtspHint")}
          error={errors.rtspUrl}
        >
          <Input
            id="rtspUrl"
            name="rtspUrl"
            autoComplete="off"
            spellCheck={false}
            placeholder="rtsp://"
            maxLength={2048}
            className="font-mono"
            {...invalid("rtspUrl")}
          />
        </Field>
        <div className="space-y-1">
          <label className="flex items-center gap-2 text-sm font-medium text-slate-700">
            <input type="checkbox" name="frEnabled" defaultChecked={camera?.frEnabled ?? false} className="size-4" />
            {t("frLabel")}
          </label>
          {errors.frEnabled ? (
            <p role="alert" className="text-sm text-red-600">
              {errors.frEnabled}
            </p>
          ) : (
            <p className="text-xs text-slate-500">{t("frHint")}</p>
          )}
        </div>
        {/* Sites load first: submitting before that would send no site. */}
        <FormActions onCancel={onClose} pending={pending} disabled={!placements.data} />
      </form>
    </Modal>
  );
}
