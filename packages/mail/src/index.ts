import { createTransport } from "nodemailer";

export * from "./notifications";

export type Mail = { to: string; subject: string; text: string };

/**
 * Sends mail through the SMTP server in `smtpUrl` (smtp://user:pass@host:port, or smtps://).
 * Message bodies may hold one-time codes: they are never logged here.
 */
export function createMailer(smtpUrl: string, from: string) {
  const transport = createTransport(smtpUrl);
  return {
    send: async (mail: Mail) => {
      await transport.sendMail({ from, ...mail });
    },
    close: () => transport.close(),
  };
}
export type Mailer = ReturnType<typeof createMailer>;

/** The one-time code mail of the data-subject portal, in Chinese and English. */
export function verificationMail(to: string, code: string, minutes: number): Mail {
  return {
    to,
    subject: `Consentry 验证码 / verification code: ${code}`,
    text: [
      `您的验证码是 ${code}，${minutes} 分钟内有效，仅可使用一次。如非本人操作，请忽略本邮件。`,
      "",
      `Your verification code is ${code}. It is valid for ${minutes} minutes and can be used once.`,
      "If you did not file a request, ignore this mail.",
    ].join("\n"),
  };
}

/** Tells an account holder that repeated wrong passwords locked their account for a while. */
export function accountLockedMail(to: string, minutes: number): Mail {
  return {
    to,
    subject: "Consentry 账户已临时锁定 / account temporarily locked",
    text: [
      `您的 Consentry 账户因多次密码错误已被锁定 ${minutes} 分钟，期间无法登录，到时自动解锁。`,
      "如非本人操作，说明有人在尝试您的密码：请在解锁后修改密码并联系管理员。",
      "",
      `Your Consentry account was locked for ${minutes} minutes after repeated wrong passwords; nobody`,
      "can sign in to it until then, and it unlocks by itself.",
      "If this was not you, someone is guessing your password: change it once unlocked and tell your administrator.",
    ].join("\n"),
  };
}

/** The password-reset link, in Chinese and English. The link itself is the secret: never log this mail. */
export function passwordResetMail(to: string, link: string, minutes: number): Mail {
  return {
    to,
    subject: "Consentry 重置密码 / reset your password",
    text: [
      `请打开以下链接设置新密码。链接 ${minutes} 分钟内有效，仅可使用一次：`,
      link,
      "如非本人操作，请忽略本邮件，您的密码不会改变。",
      "",
      `Open the link above to set a new password. It is valid for ${minutes} minutes and works once.`,
      "If you did not ask for this, ignore this mail: your password stays as it is.",
    ].join("\n"),
  };
}

const ROLE_NAMES: Record<string, [zh: string, en: string]> = {
  owner: ["所有者", "owner"],
  manager: ["管理员", "manager"],
  operator: ["操作员", "operator"],
  auditor: ["审计员", "auditor"],
};

/**
 * An invitation to join an organisation, in Chinese and English. The link is the secret (single
 * use, `hours` valid): never log this mail.
 */
export function invitationMail(
  to: string,
  invitation: { link: string; organization: string; role: string; invitedBy: string | null; hours: number },
): Mail {
  const [roleZh, roleEn] = ROLE_NAMES[invitation.role] ?? [invitation.role, invitation.role];
  const byZh = invitation.invitedBy ? `${invitation.invitedBy} 邀请您` : "您被邀请";
  const byEn = invitation.invitedBy ? `${invitation.invitedBy} invited you` : "You are invited";
  return {
    to,
    subject: `Consentry 邀请 / invitation: ${invitation.organization}`,
    text: [
      `${byZh}以「${roleZh}」身份加入 Consentry 上的「${invitation.organization}」。请打开以下链接接受邀请，链接 ${invitation.hours} 小时内有效，仅可使用一次：`,
      invitation.link,
      "链接失效后，请联系邀请人重新发送。如您不认识邀请人，请忽略本邮件。",
      "",
      `${byEn} to join "${invitation.organization}" on Consentry as ${roleEn}. Open the link above to accept;`,
      `it is valid for ${invitation.hours} hours and works once. If it has stopped working, ask the person who`,
      "invited you to send a new one. If you do not know them, ignore this mail.",
    ].join("\n"),
  };
}
