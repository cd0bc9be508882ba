"use client";

import type { RouterOutputs } from "@consentry/api";
import { ORG_ROLES, type OrgRole } from "@consentry/auth/roles";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { ConfirmedSubmit } from "~/components/confirmed-submit";
import { type FieldErrors, fieldErrorsFromServer } from "~/components/form-errors";
import { LoadFailed } from "~/components/load-failed";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, Card, Field, Input, Select } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

type MappingRow = { key: number; claimValue: string; role: OrgRole };
let rowKey = 0;
const newRow = (claimValue = "", role: OrgRole = "operator"): MappingRow => ({ key: ++rowKey, claimValue, role });

/** Owners set up the organisation's OIDC single sign-on (issue #16.5). */
export function SsoSettings() {
  const t = useTranslations("sso");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const org = useActiveOrg();
  const settings = useQuery(trpc.sso.get.queryOptions({ orgId: org.orgId }));
  // Here, not in the form: a save remounts the form (its key is the saved version).
  const [saved, setSaved] = useState(false);

  return (
    <Card>
      <div className="space-y-4 p-5">
        <div>
          <h2 className="text-base font-semibold">{t("title")}</h2>
          <p className="text-sm text-slate-600">{t("subtitle")}</p>
        </div>
        {settings.isError ? (
          <LoadFailed error={settings.error} onRetry={settings.refetch} className="space-y-3" />
        ) : !settings.data ? (
          <p className="text-sm text-slate-500">{tc("loading")}</p>
        ) : (
          // Keyed by the saved version, so a save (or another owner's) resets the form to what is stored.
          <SsoForm
            key={settings.data.configured ? String(settings.data.updatedAt) : "new"}
            settings={settings.data}
            saved={saved}
            setSaved={setSaved}
          />
        )}
      </div>
    </Card>
  );
}

type Settings = RouterOutputs["sso"]["get"];

function SsoForm({
  settings,
  saved,
  setSaved,
}: {
  settings: Settings;
  saved: boolean;
  setSaved: (saved: boolean) => void;
}) {
  const t = useTranslations("sso");
  const tc = useTranslations("common");
  const tv = useTranslations("validation");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [replacingSecret, setReplacingSecret] = useState(!settings.clientSecretSet);
  const [rows, setRows] = useState<MappingRow[]>(() =>
    (settings.roleMapping ?? []).map((row) => newRow(row.claimValue, row.role)),
  );
  const [removing, setRemoving] = useState(false);
  const invalidate = () => queryClient.invalidateQueries(trpc.sso.pathFilter());

  const save = useMutation(
    trpc.sso.save.mutationOptions({
      onSuccess: async () => {
        setErrors({});
        setSaved(true);
        await invalidate();
      },
      onError: (error) => {
        setSaved(false);
        setErrors(fieldErrorsFromServer(error, tv));
      },
    }),
  );
  const test = useMutation(trpc.sso.test.mutationOptions());
  const remove = useMutation(
    trpc.sso.remove.mutationOptions({
      onSuccess: async () => {
        setRemoving(false);
        await invalidate();
      },
    }),
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? "");
    const secret = value("clientSecret");
    const defaultRole = value("defaultRole");
    setSaved(false);
    test.reset();
    save.mutate({
      orgId: org.orgId,
      issuer: value("issuer"),
      clientIdentifier: value("clientIdentifier"),
      clientSecret: replacingSecret && secret ? secret : null,
      domains: value("domains")
        .split(/[\s,]+/)
        .filter(Boolean),
      roleClaim: value("roleClaim"),
      roleMapping: rows
        .map((row) => ({ claimValue: row.claimValue.trim(), role: row.role }))
        .filter((row) => row.claimValue),
      defaultRole: defaultRole ? (defaultRole as OrgRole) : null,
      required: form.get("required") === "on",
      enabled: form.get("enabled") === "on",
    });
  }

  const invalid = (field: string) =>
    errors[field] ? { "aria-invalid": true, "aria-describedby": `sso-${field}-error` } : {};
  const fieldError = (field: string) => errors[field];

  return (
    <div className="space-y-4">
      <div className="rounded-md border border-slate-200 bg-slate-50 p-3 text-sm">
        <p className="font-medium text-slate-700">{t("redirectUri")}</p>
        <p className="text-xs text-slate-500">{t("redirectUriHint")}</p>
        <code data-testid="sso-redirect-uri" className="mt-1 block break-all font-mono text-xs">
          {settings.redirectUri}
        </code>
      </div>

      {settings.configured && (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          {settings.enabled ? <Badge tone="green">{t("statusEnabled")}</Badge> : <Badge>{t("statusDisabled")}</Badge>}
          {settings.required && <Badge tone="amber">{t("statusRequired")}</Badge>}
        </div>
      )}

      {settings.lastError && (
        <Alert tone="amber">
          <span data-testid="sso-last-error">
            {t("lastError", {
              at: settings.lastErrorAt
                ? format.dateTime(new Date(settings.lastErrorAt), { dateStyle: "medium", timeStyle: "short" })
                : "",
              message: settings.lastError,
            })}
          </span>
        </Alert>
      )}

      <form onSubmit={submit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field id="sso-issuer" label={t("issuer")} hint={t("issuerHint")} error={fieldError("issuer")}>
          <Input
            id="sso-issuer"
            name="issuer"
            defaultValue={settings.issuer ?? ""}
            placeholder="https://login.example.com"
            maxLength={500}
            className="font-mono"
            {...invalid("issuer")}
          />
        </Field>
        <Field id="sso-clientIdentifier" label={t("clientId")} error={fieldError("clientIdentifier")}>
          <Input
            id="sso-clientIdentifier"
            name="clientIdentifier"
            defaultValue={settings.clientIdentifier ?? ""}
            maxLength={300}
            className="font-mono"
            {...invalid("clientIdentifier")}
          />
        </Field>
        {replacingSecret ? (
          <Field
            id="sso-clientSecret"
            label={t("clientSecret")}
            hint={settings.clientSecretSet ? t("clientSecretReplaceHint") : t("clientSecretHint")}
            error={fieldError("clientSecret")}
          >
            <Input
              id="sso-clientSecret"
              name="clientSecret"
              type="password"
              autoComplete="off"
              maxLength={1000}
              {...invalid("clientSecret")}
            />
          </Field>
        ) : (
          <div className="space-y-1">
            <p className="text-sm font-medium text-slate-700">{t("clientSecret")}</p>
            <div className="flex items-center gap-3">
              <Badge tone="green">{t("clientSecretSet")}</Badge>
              <Button variant="secondary" onClick={() => setReplacingSecret(true)}>
                {t("clientSecretReplace")}
              </Button>
            </div>
          </div>
        )}
        <Field id="sso-domains" label={t("domains")} hint={t("domainsHint")} error={fieldError("domains")}>
          <Input
            id="sso-domains"
            name="domains"
            defaultValue={(settings.domains ?? []).join(", ")}
            placeholder="example.com"
            maxLength={2000}
            {...invalid("domains")}
          />
        </Field>
        <Field id="sso-roleClaim" label={t("roleClaim")} hint={t("roleClaimHint")} error={fieldError("roleClaim")}>
          <Input
            id="sso-roleClaim"
            name="roleClaim"
            defaultValue={settings.roleClaim ?? "groups"}
            maxLength={100}
            className="font-mono"
            {...invalid("roleClaim")}
          />
        </Field>

        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700">{t("mapping")}</legend>
          <p className="text-xs text-slate-500">{t("mappingHint")}</p>
          {rows.length === 0 && <p className="text-sm text-slate-500">{t("mappingEmpty")}</p>}
          {rows.map((row, index) => (
            <div key={row.key} data-testid="sso-mapping-row" className="flex items-center gap-2">
              <Input
                aria-label={t("claimValue")}
                placeholder={t("claimValue")}
                value={row.claimValue}
                maxLength={200}
                onChange={(event) =>
                  setRows(rows.map((r) => (r.key === row.key ? { ...r, claimValue: event.target.value } : r)))
                }
              />
              <Select
                aria-label={t("mappedRole")}
                value={row.role}
                className="w-40"
                onChange={(event) =>
                  setRows(rows.map((r) => (r.key === row.key ? { ...r, role: event.target.value as OrgRole } : r)))
                }
              >
                {ORG_ROLES.map((role) => (
                  <option key={role} value={role}>
                    {t(`roles.${role}`)}
                  </option>
                ))}
              </Select>
              <Button variant="ghost" onClick={() => setRows(rows.filter((r) => r.key !== row.key))}>
                {t("removeRow", { n: index + 1 })}
              </Button>
            </div>
          ))}
          {fieldError("roleMapping") && (
            <p role="alert" className="text-sm text-red-600">
              {fieldError("roleMapping")}
            </p>
          )}
          <Button variant="secondary" onClick={() => setRows([...rows, newRow()])}>
            {t("addRow")}
          </Button>
        </fieldset>

        <Field
          id="sso-defaultRole"
          label={t("defaultRole")}
          hint={t("defaultRoleHint")}
          error={fieldError("defaultRole")}
        >
          <Select id="sso-defaultRole" name="defaultRole" defaultValue={settings.defaultRole ?? ""}>
            <option value="">{t("defaultRoleRefuse")}</option>
            {ORG_ROLES.map((role) => (
              <option key={role} value={role}>
                {t(`roles.${role}`)}
              </option>
            ))}
          </Select>
        </Field>

        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="enabled" className="mt-0.5 size-4" defaultChecked={settings.enabled ?? true} />
          <span>
            {t("enabled")}
            <span className="block text-xs text-slate-500">{t("enabledHint")}</span>
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            name="required"
            className="mt-0.5 size-4"
            defaultChecked={settings.required ?? false}
          />
          <span>
            {t("required")}
            <span className="block text-xs text-slate-500">{t("requiredHint")}</span>
          </span>
        </label>

        <div className="flex flex-wrap items-center gap-2 pt-2">
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? t("saving") : t("save")}
          </Button>
          {settings.configured && (
            <>
              <Button variant="secondary" disabled={test.isPending} onClick={() => test.mutate({ orgId: org.orgId })}>
                {test.isPending ? t("testing") : t("test")}
              </Button>
              <Button variant="danger" onClick={() => setRemoving(true)}>
                {t("remove")}
              </Button>
            </>
          )}
          {saved && <span className="text-sm text-green-700">{t("saved")}</span>}
        </div>
      </form>

      {test.data &&
        (test.data.ok ? (
          <Alert tone="blue">{t("testOk")}</Alert>
        ) : (
          <Alert>
            <span data-testid="sso-test-error">{t("testFailed", { message: test.data.message })}</span>
          </Alert>
        ))}
      {test.error && <Alert>{test.error.message}</Alert>}

      {removing && (
        <Modal title={t("removeTitle")} onClose={() => setRemoving(false)}>
          <form
            className="space-y-4"
            onSubmit={(event) => {
              event.preventDefault();
              remove.mutate({ orgId: org.orgId });
            }}
          >
            <p className="text-sm text-slate-600">{t("removeBody")}</p>
            {remove.error && <Alert>{remove.error.message}</Alert>}
            <ConfirmedSubmit
              confirmLabel={t("removeConfirm")}
              cancelLabel={tc("cancel")}
              submitLabel={t("remove")}
              pending={remove.isPending}
              onCancel={() => setRemoving(false)}
            />
          </form>
        </Modal>
      )}
    </div>
  );
}
