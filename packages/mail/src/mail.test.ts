import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { mailTo, readMailbox, readMailTo, removeMailTo, startDevMailServer } from "./dev-server";
import { createMailer, verificationMail } from "./index";

const dir = mkdtempSync(join(tmpdir(), "consentry-mail-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

it("delivers the verification mail over real SMTP to the dev mailbox", async () => {
  const server = await startDevMailServer({ dir });
  const mailer = createMailer(server.url, "Consentry <no-reply@consentry.local>");
  try {
    await mailer.send(verificationMail("li.lei@example.cn", "493817", 15));
    const [mail] = await readMailbox(dir);
    expect(mail?.to).toBe("li.lei@example.cn");
    expect(mail?.subject).toContain("493817");
    expect(mail?.text).toContain("15 分钟内有效");
  } finally {
    mailer.close();
    await server.stop();
  }
});

it("reads and removes every message to one address from the dev mailbox (an erasure), and only those", {
  timeout: 30_000,
}, async () => {
  const own = mkdtempSync(join(tmpdir(), "consentry-mail-erase-"));
  const server = await startDevMailServer({ dir: own });
  const mailer = createMailer(server.url, "Consentry <no-reply@consentry.local>");
  try {
    await mailer.send(verificationMail("Wang.Fang@example.cn", "111111", 15));
    await mailer.send(verificationMail("wang.fang@example.cn", "222222", 15));
    await mailer.send(verificationMail("li.lei@example.cn", "333333", 15));
    expect(await mailTo(own, "wang.fang@example.cn")).toHaveLength(2);
    // Newest first, and found however many others came after (readMailbox reads the newest 50 only).
    await Promise.all(
      Array.from({ length: 51 }, () => mailer.send(verificationMail("someone.else@example.cn", "444444", 15))),
    );
    expect((await readMailbox(own)).some((mail) => mail.to.toLowerCase() === "wang.fang@example.cn")).toBe(false);
    expect((await readMailTo(own, "wang.fang@example.cn")).map((mail) => mail.subject.match(/\d{6}/)?.[0])).toEqual([
      "222222",
      "111111",
    ]);
    await removeMailTo(own, "someone.else@example.cn");
    expect(await removeMailTo(own, "WANG.FANG@example.cn")).toBe(2);
    expect(await mailTo(own, "wang.fang@example.cn")).toEqual([]);
    expect((await readMailbox(own)).map((mail) => mail.to)).toEqual(["li.lei@example.cn"]);
  } finally {
    mailer.close();
    await server.stop();
    await rm(own, { recursive: true, force: true });
  }
});
