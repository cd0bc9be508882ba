"use client";

import type { RouterOutputs } from "@consentry/api";
import { roleAtLeast } from "@consentry/auth/roles";
import { ALTERNATIVE_METHODS, ENTRY_POINT_PURPOSES, entryPointFields } from "@consentry/core/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useDialogForm } from "~/components/dialog-form";
import { FormActions } from "~/components/form-actions";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, EmptyState, Field, Input, Select, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { EditDeleteButtons, Section } from "./section";

type EntryPoint = RouterOutputs["entryPoints"]["list"][number];

/** Entry points with their purpose and the alternatives to face recognition (CN-FR-02, CN-FR-09). */
export function EntryPointsSection({ siteId }: { siteId: string }) {
  const t = useTranslations("registry");
  const trpc = useTRPC();
  const org = useActiveOrg();
  const queryClient = useQueryClient();
  // null: no dialog; "new": adding; an entry point: editing it.
  const [editing, setEditing] = useState<EntryPoint | "new" | null>(null);
  const entries = useQuery(trpc.entryPoints.list.queryOptions({ orgId: org.orgId, siteId }));
  const remove = useMutation(
    trpc.entryPoints.delete.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }),
  );
  const canEdit = roleAtLeast(org.role, "manager");
  return (
    <Section
      id="entry-points"
      title={t("entryPoints")}
      action={
        canEdit && (
          <Button variant="secondary" onClick={() => setEditing("new")}>
            {t("addEntryPoint")}
          </Button>
        )
      }
    >
      {remove.error && <Alert>{remove.error.message}</Alert>}
      {entries.data?.length === 0 ? (
        <EmptyState title={t("noEntryPoints")} />
      ) : (
        <Table head={[t("entryName"), t("purpose"), t("faceRecognition"), t("alternatives"), ""]}>
          {entries.data?.map((entry) => (
            <tr key={entry.id} data-testid="entry-point-row">
              <Td className="font-medium">{entry.name}</Td>
              <Td>{entry.purpose ? t(`purposes.${entry.purpose}`) : <Badge tone="amber">{t("noPurpose")}</Badge>}</Td>
              <Td>{entry.faceRecognition ? <Badge tone="blue">✓</Badge> : t("none")}</Td>
              <Td>
                {entry.alternatives.length > 0 ? (
                  entry.alternatives.map((method) => t(`alternativeMethods.${method}`)).join(" · ")
                ) : entry.faceRecognition ? (
                  <Badge tone="red">{t("noAlternatives")}</Badge>
                ) : (
                  t("none")
                )}
              </Td>
              <Td className="whitespace-nowrap text-right">
                {canEdit && (
                  <EditDeleteButtons
                    onEdit={() => setEditing(entry)}
                    onDelete={() => remove.mutate({ orgId: org.orgId, entryPointId: entry.id })}
                    confirmText={t("confirmDeleteEntryPoint", { name: entry.name })}
                    deleting={remove.isPending}
                  />
                )}
              </Td>
            </tr>
          ))}
        </Table>
      )}
      {editing && (
        <EntryPointForm siteId={siteId} entry={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      )}
    </Section>
  );
}

function EntryPointForm({ siteId, entry, onClose }: { siteId: string; entry: EntryPoint | null; onClose: () => void }) {
  const t = useTranslations("registry");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const { errors, mutationCallbacks, validate } = useDialogForm(onClose);
  // The capture-area limit matters in a public place only (CN-FR-12), so it shows with that box ticked.
  const [isPublicPlace, setIsPublicPlace] = useState(entry?.isPublicPlace ?? false);
  const create = useMutation(trpc.entryPoints.create.mutationOptions(mutationCallbacks));
  const update = useMutation(trpc.entryPoints.update.mutationOptions(mutationCallbacks));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const values = validate(entryPointFields, {
      siteId,
      name: form.get("name"),
      purpose: form.get("purpose") || null,
      necessityNote: String(form.get("necessityNote") ?? "").trim() || null,
      faceRecognition: form.get("faceRecognition") === "on",
      faceIsDefault: form.get("faceIsDefault") === "on",
      isPublicPlace: form.get("isPublicPlace") === "on",
      // Hidden outside public places: unsent, so a stored note stays as it is.
      ...(form.has("captureAreaNote")
        ? { captureAreaNote: String(form.get("captureAreaNote") ?? "").trim() || null }
        : {}),
      alternatives: form.getAll("alternatives"),
    });
    if (!values) return;
    if (entry) {
      const { siteId: _siteId, ...fields } = values;
      update.mutate({ orgId, entryPointId: entry.id, ...fields });
    } else {
      create.mutate({ orgId, ...values });
    }
  }

  return (
    <Modal title={entry ? t("editEntryPoint") : t("addEntryPoint")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field id="name" label={t("entryName")} error={errors.name}>
          <Input autoFocus id="name" name="name" maxLength={120} defaultValue={entry?.name} />
        </Field>
        <Field id="purpose" label={t("purpose")} error={errors.purpose}>
          <Select id="purpose" name="purpose" defaultValue={entry ? (entry.purpose ?? "") : "entry_verification"}>
            <option value="">{t("noPurpose")}</option>
            {ENTRY_POINT_PURPOSES.map((purpose) => (
              <option key={purpose} value={purpose}>
                {t(`purposes.${purpose}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="necessityNote" label={t("necessity")} error={errors.necessityNote}>
          <Input id="necessityNote" name="necessityNote" maxLength={2000} defaultValue={entry?.necessityNote ?? ""} />
        </Field>
        <div className="space-y-1 text-sm">
          {(["faceRecognition", "faceIsDefault", "isPublicPlace"] as const).map((name) => (
            <label key={name} className="flex items-center gap-2">
              <input
                type="checkbox"
                name={name}
                className="size-4"
                defaultChecked={entry ? entry[name] : name === "faceRecognition"}
                onChange={name === "isPublicPlace" ? (event) => setIsPublicPlace(event.target.checked) : undefined}
              />
              {t(name === "isPublicPlace" ? "publicPlace" : name)}
            </label>
          ))}
        </div>
        {isPublicPlace && (
          <Field
            id="captureAreaNote"
            label={t("captureAreaNote")}
            hint={t("captureAreaHint")}
            error={errors.captureAreaNote}
          >
            <Input
              id="captureAreaNote"
              name="captureAreaNote"
              maxLength={2000}
              defaultValue={entry?.captureAreaNote ?? ""}
            />
          </Field>
        )}
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">{t("alternatives")}</legend>
          <div className="mt-1 flex flex-wrap gap-3">
            {ALTERNATIVE_METHODS.map((method) => (
              <label key={method} className="flex items-center gap-1.5 text-sm">
                <input
                  type="checkbox"
                  name="alternatives"
                  value={method}
                  defaultChecked={entry?.alternatives.includes(method)}
                />
                {t(`alternativeMethods.${method}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <FormActions onCancel={onClose} pending={create.isPending || update.isPending} />
      </form>
    </Modal>
  );
}
