"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { FormActions } from "~/components/form-actions";
import { type FieldErrors, fieldErrorsFromServer } from "~/components/form-errors";
import { Modal } from "~/components/modal";
import { Alert, Button, Field, Input, Select } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

const PROFILES = ["CN", "EU", "US-IL"] as const;

/** One network per line: a CIDR, optionally followed by a port or port range ("10.0.0.0/8 554" or "… 554-8554"). */
function parseNetworks(text: string) {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [cidr = "", ports] = line.split(/\s+/, 2);
      const [from, to] = (ports ?? "").split("-");
      const portFrom = from ? Number(from) : null;
      return { cidr, portFrom, portTo: to ? Number(to) : portFrom, note: null };
    });
}

/** Platform admins onboard a customer: the organisation, its camera networks and its first owner's invitation. */
export function CreateOrganization() {
  const t = useTranslations("onboarding");
  const tv = useTranslations("validation");
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [done, setDone] = useState<{ name: string; email: string; mailSent: boolean } | null>(null);
  const create = useMutation(
    trpc.admin.createOrganization.mutationOptions({
      onSuccess: (org) => {
        setOpen(false);
        setDone({ name: org.name, email: org.invitation?.email ?? "", mailSent: org.invitation?.mailSent ?? false });
        router.refresh();
      },
      onError: (error) => setErrors(fieldErrorsFromServer(error, tv)),
    }),
  );
  const invalid = (field: string) =>
    errors[field] ? { "aria-invalid": true, "aria-describedby": `${field}-error` } : {};

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setErrors({});
    create.mutate({
      name: String(form.get("name") ?? ""),
      slug: String(form.get("slug") ?? ""),
      jurisdictionProfile: String(form.get("jurisdictionProfile")) as (typeof PROFILES)[number],
      ownerEmail: String(form.get("ownerEmail") ?? ""),
      cameraNetworks: parseNetworks(String(form.get("cameraNetworks") ?? "")),
    });
  }

  return (
    <>
      <Button
        onClick={() => {
          setErrors({});
          setOpen(true);
        }}
      >
        {t("create")}
      </Button>
      {done && (
        <div className="fixed right-6 bottom-6 z-40 max-w-md">
          <Alert tone={done.mailSent ? "blue" : "amber"}>
            {done.mailSent
              ? t("created", { name: done.name, email: done.email })
              : t("createdMailFailed", { name: done.name, email: done.email })}
          </Alert>
        </div>
      )}
      {open && (
        <Modal title={t("createTitle")} onClose={() => setOpen(false)}>
          <form onSubmit={submit} className="space-y-4" noValidate>
            {errors.form && <Alert>{errors.form}</Alert>}
            <Field id="name" label={t("name")} error={errors.name}>
              <Input autoFocus id="name" name="name" maxLength={120} required {...invalid("name")} />
            </Field>
            <Field id="slug" label={t("slug")} hint={t("slugHint")} error={errors.slug}>
              <Input id="slug" name="slug" maxLength={48} className="font-mono" required {...invalid("slug")} />
            </Field>
            <Field id="jurisdictionProfile" label={t("profile")} error={errors.jurisdictionProfile}>
              <Select id="jurisdictionProfile" name="jurisdictionProfile" defaultValue="CN">
                {PROFILES.map((profile) => (
                  <option key={profile} value={profile}>
                    {t(`profiles.${profile}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field id="cameraNetworks" label={t("networks")} hint={t("networksHint")} error={errors.cameraNetworks}>
              <textarea
                id="cameraNetworks"
                name="cameraNetworks"
                rows={3}
                className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm shadow-xs focus:outline-2 focus:outline-brand-600 aria-invalid:border-red-500"
                {...invalid("cameraNetworks")}
              />
            </Field>
            <Field id="ownerEmail" label={t("ownerEmail")} hint={t("ownerEmailHint")} error={errors.ownerEmail}>
              <Input
                id="ownerEmail"
                name="ownerEmail"
                type="email"
                maxLength={254}
                required
                {...invalid("ownerEmail")}
              />
            </Field>
            <FormActions onCancel={() => setOpen(false)} pending={create.isPending} />
          </form>
        </Modal>
      )}
    </>
  );
}
