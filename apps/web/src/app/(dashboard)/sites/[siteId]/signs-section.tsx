"use client";

import { SIGN_LANGUAGES, signFields } from "@consentry/api/validators";
import { roleAtLeast } from "@consentry/auth/roles";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useNow, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useDialogForm } from "~/components/dialog-form";
import { FormActions } from "~/components/form-actions";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, EmptyState, Field, Input, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { Section } from "./section";

/** Signs older than this since their last check count as unverified (CN-CAM-02). */
const VERIFY_MAX_AGE_DAYS = 90;
const DAY = 86_400_000;

export function SignsSection({ siteId }: { siteId: string }) {
  const t = useTranslations("registry");
  const format = useFormatter();
  const now = useNow({ updateInterval: 60_000 });
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const [adding, setAdding] = useState(false);
  const signs = useQuery(trpc.signs.list.queryOptions({ orgId: org.orgId, siteId }));
  const cameras = useQuery(trpc.cameras.list.queryOptions({ orgId: org.orgId, siteId, pageSize: 100 }));
  const cameraName = new Map(cameras.data?.items.map((camera) => [camera.id, camera.name]));
  const verify = useMutation(
    trpc.signs.verify.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries(trpc.signs.pathFilter()),
          queryClient.invalidateQueries({ queryKey: [["compliance"]] }),
        ]),
    }),
  );

  return (
    <Section
      title={t("signs")}
      action={
        roleAtLeast(org.role, "manager") && (
          <Button variant="secondary" onClick={() => setAdding(true)}>
            {t("addSign")}
          </Button>
        )
      }
    >
      {verify.error && <Alert>{verify.error.message}</Alert>}
      {signs.data?.length === 0 ? (
        <EmptyState title={t("noSigns")} />
      ) : (
        <Table head={[t("signLocation"), t("coveredCameras"), t("languages"), t("verifiedAt"), ""]}>
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
                <Td className="whitespace-nowrap">
                  {sign.verifiedAt ? format.dateTime(sign.verifiedAt, { dateStyle: "medium" }) : t("none")}{" "}
                  {stale && <Badge tone="amber">{t("stale")}</Badge>}
                </Td>
                <Td className="text-right">
                  {roleAtLeast(org.role, "operator") && (
                    <Button
                      variant="ghost"
                      disabled={verify.isPending}
                      onClick={() => verify.mutate({ orgId: org.orgId, signId: sign.id })}
                    >
                      {t("verifyNow")}
                    </Button>
                  )}
                </Td>
              </tr>
            );
          })}
        </Table>
      )}
      {adding && <SignForm siteId={siteId} cameras={cameras.data?.items ?? []} onClose={() => setAdding(false)} />}
    </Section>
  );
}

function SignForm({
  siteId,
  cameras,
  onClose,
}: {
  siteId: string;
  cameras: { id: string; name: string }[];
  onClose: () => void;
}) {
  const t = useTranslations("registry");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const { errors, mutationCallbacks, validate } = useDialogForm(onClose);
  const create = useMutation(trpc.signs.create.mutationOptions(mutationCallbacks));

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
      entryPointIds: [],
    });
    if (!values) return;
    create.mutate({ orgId, ...values });
  }

  return (
    <Modal title={t("addSign")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field id="location" label={t("signLocation")} error={errors.location}>
          <Input autoFocus id="location" name="location" maxLength={200} />
        </Field>
        <Field id="text" label={t("signText")} error={errors.text}>
          <textarea
            id="text"
            name="text"
            maxLength={4000}
            rows={3}
            className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
        </Field>
        <Field id="installedAt" label={t("installedAt")} error={errors.installedAt}>
          <Input id="installedAt" name="installedAt" type="date" defaultValue={new Date().toISOString().slice(0, 10)} />
        </Field>
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">{t("languages")}</legend>
          <div className="mt-1 flex flex-wrap gap-3">
            {SIGN_LANGUAGES.map((language) => (
              <label key={language} className="flex items-center gap-1.5 text-sm">
                <input type="checkbox" name="languages" value={language} defaultChecked={language === "zh-CN"} />
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
                <input type="checkbox" name="cameraIds" value={camera.id} />
                {camera.name}
              </label>
            ))}
          </div>
          {errors.cameraIds && <p className="text-sm text-red-600">{errors.cameraIds}</p>}
        </fieldset>
        <FormActions onCancel={onClose} pending={create.isPending} />
      </form>
    </Modal>
  );
}
