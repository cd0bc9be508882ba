import type { Mail } from "./index";

// Alerts (issue #17.2): what members and data subjects are told by mail, in Chinese and English
// in one message. The texts are built from a notification's params (names of cameras and sites,
// a request's reference, counts, ISO dates), never from a person's name or contact.

type Params = Record<string, string | number | null | undefined>;

/** A date as people at the sites read it: YYYY-MM-DD HH:mm in Shanghai. */
export function shanghaiTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === "") return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString("sv-SE", { timeZone: "Asia/Shanghai" }).slice(0, 16);
}

const REQUEST_TYPES: Record<string, [zh: string, en: string]> = {
  deletion: ["删除", "deletion"],
  access: ["查阅", "access"],
  withdrawal: ["撤回同意", "withdrawal"],
  correction: ["更正", "correction"],
};
const requestType = (type: unknown): [string, string] =>
  REQUEST_TYPES[String(type)] ?? [String(type ?? ""), String(type ?? "")];

const str = (value: unknown) => (value === null || value === undefined ? "" : String(value));

/** One notification's sentence in both languages. Unknown kinds get a neutral line. */
export function notificationText(kind: string, params: Params): { zh: string; en: string } {
  const camera = str(params.camera);
  const site = str(params.site);
  const reference = str(params.reference);
  switch (kind) {
    case "camera_offline":
      return {
        zh: `摄像头「${camera}」（${site}）自 ${shanghaiTime(params.since)} 起离线，已超过 ${str(params.minutes)} 分钟。`,
        en: `Camera "${camera}" at ${site} has been offline since ${shanghaiTime(params.since)} (over ${str(params.minutes)} minutes).`,
      };
    case "camera_online":
      return {
        zh: `摄像头「${camera}」（${site}）已于 ${shanghaiTime(params.until)} 恢复在线，离线约 ${str(params.minutes)} 分钟。`,
        en: `Camera "${camera}" at ${site} is back online since ${shanghaiTime(params.until)}, after about ${str(params.minutes)} minutes offline.`,
      };
    case "request_received": {
      const [zh, en] = requestType(params.type);
      return {
        zh: `${site} 收到新的${zh}请求 ${reference}，须于 ${shanghaiTime(params.dueAt)} 前答复。`,
        en: `New ${en} request ${reference} at ${site}, to be answered by ${shanghaiTime(params.dueAt)}.`,
      };
    }
    case "request_due_soon":
      return {
        zh: `请求 ${reference}（${site}）将于 ${shanghaiTime(params.dueAt)} 到期，尚未答复。`,
        en: `Request ${reference} at ${site} is due ${shanghaiTime(params.dueAt)} and not answered yet.`,
      };
    case "request_overdue":
      return {
        zh: `请求 ${reference}（${site}）已于 ${shanghaiTime(params.dueAt)} 逾期，仍未答复。`,
        en: `Request ${reference} at ${site} is overdue since ${shanghaiTime(params.dueAt)} and still not answered.`,
      };
    case "finding_critical": {
      const where = site || "组织";
      const whereEn = site || "the organisation";
      return {
        zh: `严重合规问题 ${str(params.ruleId)}（${where}${params.target ? `：${str(params.target)}` : ""}）。`,
        en: `Critical compliance finding ${str(params.ruleId)} at ${whereEn}${params.target ? ` (${str(params.target)})` : ""}: ${str(params.message)}`,
      };
    }
    case "filing_threshold":
      return {
        zh: `存有人脸模板的人数已达备案门槛的 ${str(params.percent)}%（${str(params.count)} / ${str(params.threshold)}）${Number(params.percent) >= 100 ? "，须在 30 个工作日内向网信部门备案" : "，请准备备案"}。`,
        en: `People with face templates reached ${str(params.percent)}% of the filing threshold (${str(params.count)} of ${str(params.threshold)})${Number(params.percent) >= 100 ? ": file with the cyberspace office within 30 working days" : ": prepare the filing"}.`,
      };
    case "retention_failed":
      return {
        zh: `${shanghaiTime(params.startedAt)} 的保存期限清理任务未完成，到期数据在下次成功运行前仍被保存。`,
        en: `The retention run of ${shanghaiTime(params.startedAt)} did not complete: data past its retention stays stored until a run completes.`,
      };
    case "erasure_failed":
      return {
        zh: `请求 ${reference}（${site}）的删除任务已失败 ${str(params.attempts)} 次，系统仍在重试。`,
        en: `The erasure for request ${reference} at ${site} has failed ${str(params.attempts)} times; it keeps retrying.`,
      };
    case "recapture_needed":
      return {
        zh: `${site} 有 ${str(params.count)} 人需要重新拍摄登记照片：识别模型已更新，而原照片未按保存政策保留。`,
        en: `${str(params.count)} people at ${site} need a new enrolment photo: the recognition model changed and their photos were not kept.`,
      };
    default:
      return { zh: "新通知。", en: "New notification." };
  }
}

/** One notification in a mail: its sentence and the page it opens. */
export type MailedNotification = { kind: string; params: Params; link: string };

/**
 * A member's notifications in one mail: at once (one or a few that came together) or the daily
 * digest. `settingsLink` is where they change what they get.
 */
export function notificationMail(
  to: string,
  mail: { organization: string; items: readonly MailedNotification[]; digest: boolean; settingsLink: string },
): Mail {
  const { organization, items, digest } = mail;
  const [first] = items;
  const single = items.length === 1 && first && !digest;
  const subject = single
    ? `Consentry ${organization}: ${notificationText(first.kind, first.params).en}`
    : digest
      ? `Consentry ${organization} 每日通知摘要 / daily digest: ${items.length}`
      : `Consentry ${organization}: ${items.length} 条新通知 / new notifications`;
  const lines = items.flatMap((item) => {
    const text = notificationText(item.kind, item.params);
    return [text.zh, text.en, item.link, ""];
  });
  return {
    to,
    subject: subject.length > 200 ? `${subject.slice(0, 197)}...` : subject,
    text: [
      digest ? `「${organization}」过去一天的通知：` : `「${organization}」的新通知：`,
      digest ? `Notifications of the past day in "${organization}":` : `New in "${organization}":`,
      "",
      ...lines,
      `通知设置 / notification settings: ${mail.settingsLink}`,
    ].join("\n"),
  };
}

/** What a requester is told about their request. */
export type SubjectMailKind = "received" | "approved" | "refused" | "completed";

/**
 * A mail to the person who filed a portal request. `statusLink` is their status page (its token
 * is the secret: never log this mail); `certificateLink` comes with "completed".
 */
export function subjectRequestMail(
  to: string,
  mail: {
    kind: SubjectMailKind;
    reference: string;
    type: string;
    site: string;
    statusLink: string;
    dueAt?: Date | null;
    reason?: string | null;
    certificateLink?: string | null;
  },
): Mail {
  const [typeZh, typeEn] = requestType(mail.type);
  const { reference, site, statusLink } = mail;
  const due = mail.dueAt ? shanghaiTime(mail.dueAt) : "";
  switch (mail.kind) {
    case "received":
      return {
        to,
        subject: `Consentry 请求已受理 / request received: ${reference}`,
        text: [
          `您向「${site}」提交的${typeZh}请求已验证并受理，编号 ${reference}${due ? `，我们将于 ${due} 前答复` : ""}。`,
          "查看进度（请保存此链接，凭它查看请求状态）：",
          statusLink,
          "",
          `Your ${typeEn} request to ${site} is verified and received, reference ${reference}${due ? `; you will have an answer by ${due}` : ""}.`,
          "Follow it on your status page (keep this link: it is how you see your request):",
          statusLink,
        ].join("\n"),
      };
    case "approved": {
      const next: Record<string, [string, string]> = {
        deletion: [
          "我们正在删除您的人脸数据，完成后会将删除证明发送给您。",
          "We are erasing your face data now and will mail you the deletion certificate when it is done.",
        ],
        withdrawal: [
          "您的同意已撤回，相关人脸数据正在删除，撤回证明将显示在状态页上。",
          "Your consent has ended; the face data under it is being deleted, and the withdrawal certificate will be on your status page.",
        ],
        access: ["答复已在状态页上，可查看和下载。", "The answer is on your status page to read and download."],
        correction: ["您的信息已更正。", "Your information has been corrected."],
      };
      const [zh, en] = next[mail.type] ?? ["详情见状态页。", "See your status page."];
      return {
        to,
        subject: `Consentry 请求已批准 / request approved: ${reference}`,
        text: [
          `您向「${site}」提交的${typeZh}请求 ${reference} 已获批准。${zh}`,
          statusLink,
          "",
          `Your ${typeEn} request ${reference} to ${site} was approved. ${en}`,
          statusLink,
        ].join("\n"),
      };
    }
    case "refused":
      return {
        to,
        subject: `Consentry 请求未获批准 / request refused: ${reference}`,
        text: [
          `您向「${site}」提交的${typeZh}请求 ${reference} 未获批准，理由如下：`,
          mail.reason ?? "",
          "如有异议，可向个人信息保护监管部门投诉。状态页：",
          statusLink,
          "",
          `Your ${typeEn} request ${reference} to ${site} was refused, for this reason:`,
          mail.reason ?? "",
          "If you disagree, you may complain to the personal-information regulator. Your status page:",
          statusLink,
        ].join("\n"),
      };
    case "completed":
      return {
        to,
        subject: `Consentry 删除已完成 / erasure completed: ${reference}`,
        text: [
          `您向「${site}」提交的${typeZh}请求 ${reference} 已完成：您的人脸数据已全部删除。删除证明（PDF）：`,
          mail.certificateLink ?? statusLink,
          "状态页：",
          statusLink,
          "",
          `Your ${typeEn} request ${reference} to ${site} is completed: your face data is erased. The deletion certificate (PDF):`,
          mail.certificateLink ?? statusLink,
          "Your status page:",
          statusLink,
        ].join("\n"),
      };
  }
}
