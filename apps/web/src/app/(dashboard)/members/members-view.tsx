"use client";

import type { RouterOutputs } from "@consentry/api";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { ConfirmedSubmit } from "~/components/confirmed-submit";
import { FormActions } from "~/components/form-actions";
import { type FieldErrors, fieldErrorsFromServer } from "~/components/form-errors";
import { LoadFailed } from "~/components/load-failed";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Pagination } from "~/components/pagination";
import {
  Alert,
  Badge,
  Button,
  Card,
  EmptyState,
  Field,
  Input,
  PageHeader,
  Select,
  SkeletonRows,
  Table,
  Td,
} from "~/components/ui";
import { useTRPC } from "~/trpc/react";

const ROLES = ["owner", "manager", "operator", "auditor"] as const;
type Role = (typeof ROLES)[number];
type Member = RouterOutputs["members"]["list"]["rows"][number];
type Invitation = RouterOutputs["members"]["invitations"]["rows"][number];
type Confirm = { kind: "deactivate" | "remove"; member: Member } | { kind: "revoke"; invitation: Invitation };
const PAGE_SIZE = 25;

export function MembersView() {
  const t = useTranslations("members");
  const tc = useTranslations("common");
  const tv = useTranslations("validation");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const canManage = org.role === "owner";

  const [role, setRole] = useState<Role | null>(null);
  const [status, setStatus] = useState<"active" | "deactivated" | null>(null);
  const [page, setPage] = useState(1);
  const [invitePage, setInvitePage] = useState(1);
  const [inviting, setInviting] = useState(false);
  const [changing, setChanging] = useState<Member | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [notice, setNotice] = useState<{ tone: "red" | "blue" | "amber"; text: string } | null>(null);

  const members = useQuery({
    ...trpc.members.list.queryOptions({ orgId: org.orgId, role, status, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const invitations = useQuery({
    ...trpc.members.invitations.queryOptions({ orgId: org.orgId, page: invitePage, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const refresh = () => queryClient.invalidateQueries(trpc.members.pathFilter());
  /** A refusal in words (last owner, already deactivated…), else the server's message. */
  const explain = (error: unknown) => {
    const reason =
      error instanceof TRPCClientError ? (error.data?.fieldError as { reason?: string } | null)?.reason : undefined;
    if (reason && tv.has(reason as "invalid")) return tv(reason as "invalid");
    return error instanceof Error ? error.message : String(error);
  };
  const onError = (error: unknown) => {
    setConfirm(null);
    setChanging(null);
    setNotice({ tone: "red", text: explain(error) });
  };
  const done = async (text?: string) => {
    await refresh();
    setConfirm(null);
    setChanging(null);
    setNotice(text ? { tone: "blue", text } : null);
  };

  const deactivate = useMutation(
    trpc.members.deactivate.mutationOptions({ onSuccess: () => done(t("deactivated")), onError }),
  );
  const reactivate = useMutation(trpc.members.reactivate.mutationOptions({ onSuccess: () => done(), onError }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSuccess: () => done(t("removed")), onError }));
  const changeRole = useMutation(trpc.members.changeRole.mutationOptions({ onSuccess: () => done(), onError }));
  const revoke = useMutation(trpc.members.revokeInvitation.mutationOptions({ onSuccess: () => done(), onError }));
  const resend = useMutation(
    trpc.members.resendInvitation.mutationOptions({
      onSuccess: async (result, input) => {
        const email = invitations.data?.rows.find((i) => i.id === input.invitationId)?.email ?? "";
        await done(result.mailSent ? t("resent", { email }) : t("mailFailed", { email }));
      },
      onError,
    }),
  );

  const inviteButton = canManage ? <Button onClick={() => setInviting(true)}>{t("invite")}</Button> : undefined;
  const dateTime = (value: Date) => format.dateTime(value, { dateStyle: "medium", timeStyle: "short" });

  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={canManage ? t("subtitle") : t("subtitleReadOnly")}
        actions={inviteButton}
      />
      {notice && (
        <div className="mb-4">
          <Alert tone={notice.tone}>{notice.text}</Alert>
        </div>
      )}
      <Card>
        <div className="flex flex-wrap gap-3 border-b border-slate-100 px-4 py-3">
          <Select
            aria-label={t("filterRole")}
            className="max-w-48"
            value={role ?? ""}
            onChange={(event) => {
              setRole((event.target.value || null) as Role | null);
              setPage(1);
            }}
          >
            <option value="">{t("allRoles")}</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </Select>
          <Select
            aria-label={t("filterStatus")}
            className="max-w-48"
            value={status ?? ""}
            onChange={(event) => {
              setStatus((event.target.value || null) as "active" | "deactivated" | null);
              setPage(1);
            }}
          >
            <option value="">{t("allStatuses")}</option>
            <option value="active">{t("status.active")}</option>
            <option value="deactivated">{t("status.deactivated")}</option>
          </Select>
        </div>
        {members.isError ? (
          <LoadFailed error={members.error} onRetry={members.refetch} />
        ) : members.data?.rows.length === 0 ? (
          <EmptyState title={t("emptyTitle")} body={t("emptyBody")} />
        ) : (
          <Table
            head={[
              t("name"),
              t("email"),
              t("role"),
              t("lastSignIn"),
              t("twoFactor"),
              t("statusLabel"),
              ...(canManage ? [""] : []),
            ]}
          >
            {!members.data ? (
              <SkeletonRows columns={canManage ? 7 : 6} />
            ) : (
              members.data.rows.map((member) => (
                <tr key={member.userId} data-testid="member-row">
                  <Td className="font-medium">{member.name}</Td>
                  <Td>{member.email}</Td>
                  <Td>{t(`roles.${member.role}`)}</Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {member.lastSignInAt ? dateTime(member.lastSignInAt) : tc("never")}
                  </Td>
                  <Td>
                    <Badge tone={member.twoFactorEnabled ? "green" : "neutral"}>
                      {member.twoFactorEnabled ? t("on") : t("off")}
                    </Badge>
                  </Td>
                  <Td>
                    <Badge tone={member.deactivatedAt ? "amber" : "green"}>
                      {member.deactivatedAt ? t("status.deactivated") : t("status.active")}
                    </Badge>
                  </Td>
                  {canManage && (
                    <Td className="whitespace-nowrap text-right">
                      <Button variant="ghost" onClick={() => setChanging(member)}>
                        {t("changeRole")}
                      </Button>
                      {member.deactivatedAt ? (
                        <Button
                          variant="ghost"
                          onClick={() => reactivate.mutate({ orgId: org.orgId, userId: member.userId })}
                        >
                          {t("reactivate")}
                        </Button>
                      ) : (
                        <Button variant="ghost" onClick={() => setConfirm({ kind: "deactivate", member })}>
                          {t("deactivate")}
                        </Button>
                      )}
                      <Button variant="ghost" onClick={() => setConfirm({ kind: "remove", member })}>
                        {t("remove")}
                      </Button>
                    </Td>
                  )}
                </tr>
              ))
            )}
          </Table>
        )}
        {members.data && <Pagination page={page} pageSize={PAGE_SIZE} total={members.data.total} onPage={setPage} />}
      </Card>

      <h2 className="mt-8 mb-3 text-lg font-semibold">{t("pendingTitle")}</h2>
      <Card>
        {invitations.isError ? (
          <div className="p-4">
            <Alert>{tc("loadFailed", { message: invitations.error.message })}</Alert>
          </div>
        ) : invitations.data?.rows.length === 0 ? (
          <EmptyState title={t("noPending")} action={inviteButton} />
        ) : (
          <Table head={[t("email"), t("role"), t("sent"), t("expires"), t("invitedBy"), ...(canManage ? [""] : [])]}>
            {!invitations.data ? (
              <SkeletonRows columns={canManage ? 6 : 5} rows={2} />
            ) : (
              invitations.data.rows.map((invitation) => (
                <tr key={invitation.id} data-testid="invitation-row">
                  <Td className="font-medium">{invitation.email}</Td>
                  <Td>{t(`roles.${invitation.role}`)}</Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {dateTime(invitation.sentAt)}
                    {invitation.sendCount > 1 && ` · ${t("sendCount", { count: invitation.sendCount })}`}
                  </Td>
                  <Td className="whitespace-nowrap">
                    {invitation.expired ? (
                      <Badge tone="amber">{t("expired")}</Badge>
                    ) : (
                      <span className="text-slate-600">{dateTime(invitation.expiresAt)}</span>
                    )}
                  </Td>
                  <Td className="text-slate-600">{invitation.invitedBy ?? "—"}</Td>
                  {canManage && (
                    <Td className="whitespace-nowrap text-right">
                      <Button
                        variant="ghost"
                        disabled={resend.isPending}
                        onClick={() => resend.mutate({ orgId: org.orgId, invitationId: invitation.id })}
                      >
                        {t("resend")}
                      </Button>
                      <Button variant="ghost" onClick={() => setConfirm({ kind: "revoke", invitation })}>
                        {t("revoke")}
                      </Button>
                    </Td>
                  )}
                </tr>
              ))
            )}
          </Table>
        )}
        {invitations.data && (
          <Pagination page={invitePage} pageSize={PAGE_SIZE} total={invitations.data.total} onPage={setInvitePage} />
        )}
      </Card>

      {inviting && (
        <InviteDialog
          onClose={() => setInviting(false)}
          onSent={(email, mailSent) => {
            setInviting(false);
            void done(mailSent ? t("invited", { email }) : t("mailFailed", { email }));
          }}
        />
      )}
      {changing && (
        <RoleDialog
          member={changing}
          pending={changeRole.isPending}
          onClose={() => setChanging(null)}
          onSubmit={(newRole) => changeRole.mutate({ orgId: org.orgId, userId: changing.userId, role: newRole })}
        />
      )}
      {confirm && (
        <Modal title={t(`confirm.${confirm.kind}Title`)} onClose={() => setConfirm(null)}>
          <form
            className="space-y-4"
            onSubmit={(event) => {
              event.preventDefault();
              if (confirm.kind === "revoke") revoke.mutate({ orgId: org.orgId, invitationId: confirm.invitation.id });
              else if (confirm.kind === "deactivate")
                deactivate.mutate({ orgId: org.orgId, userId: confirm.member.userId });
              else remove.mutate({ orgId: org.orgId, userId: confirm.member.userId });
            }}
          >
            <p className="text-sm text-slate-700">
              {confirm.kind === "revoke"
                ? t("confirm.revokeBody", { email: confirm.invitation.email })
                : t(`confirm.${confirm.kind}Body`, { name: confirm.member.name, email: confirm.member.email })}
            </p>
            <ConfirmedSubmit
              confirmLabel={t(`confirm.${confirm.kind}Check`)}
              cancelLabel={tc("cancel")}
              submitLabel={t(`confirm.${confirm.kind}Submit`)}
              pending={deactivate.isPending || remove.isPending || revoke.isPending}
              onCancel={() => setConfirm(null)}
            />
          </form>
        </Modal>
      )}
    </>
  );
}

function InviteDialog({
  onClose,
  onSent,
}: {
  onClose: () => void;
  onSent: (email: string, mailSent: boolean) => void;
}) {
  const t = useTranslations("members");
  const tv = useTranslations("validation");
  const trpc = useTRPC();
  const org = useActiveOrg();
  const [errors, setErrors] = useState<FieldErrors>({});
  const invite = useMutation(
    trpc.members.invite.mutationOptions({
      onSuccess: (result) => onSent(result.email, result.mailSent),
      onError: (error) => setErrors(fieldErrorsFromServer(error, tv)),
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setErrors({});
    invite.mutate({ orgId: org.orgId, email: String(form.get("email") ?? ""), role: String(form.get("role")) as Role });
  }
  return (
    <Modal title={t("inviteTitle")} onClose={onClose}>
      <form onSubmit={submit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field id="email" label={t("email")} hint={t("inviteHint")} error={errors.email}>
          <Input
            autoFocus
            id="email"
            name="email"
            type="email"
            maxLength={254}
            required
            aria-invalid={errors.email ? true : undefined}
          />
        </Field>
        <Field id="role" label={t("role")} error={errors.role}>
          <Select id="role" name="role" defaultValue="operator">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </Select>
        </Field>
        <FormActions onCancel={onClose} pending={invite.isPending} />
      </form>
    </Modal>
  );
}

function RoleDialog({
  member,
  pending,
  onClose,
  onSubmit,
}: {
  member: Member;
  pending: boolean;
  onClose: () => void;
  onSubmit: (role: Role) => void;
}) {
  const t = useTranslations("members");
  return (
    <Modal title={t("changeRoleTitle", { name: member.name })} onClose={onClose}>
      <form
        className="space-y-4"
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit(String(new FormData(event.currentTarget).get("role")) as Role);
        }}
      >
        <Field id="role" label={t("role")} hint={t("roleHint")}>
          <Select id="role" name="role" defaultValue={member.role} autoFocus>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </Select>
        </Field>
        <FormActions onCancel={onClose} pending={pending} />
      </form>
    </Modal>
  );
}
