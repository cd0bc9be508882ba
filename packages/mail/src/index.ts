import { createTransport } from "nodemailer";

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
