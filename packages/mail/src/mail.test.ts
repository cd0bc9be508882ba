import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { mailTo, readMailbox, removeMailTo, startDevMailServer } from "./dev-server";
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

it("removes every message to one address from the dev mailbox (an erasure), and only those", async () => {
  const own = mkdtempSync(join(tmpdir(), "consentry-mail-erase-"));
  const server = await startDevMailServer({ dir: own });
  const mailer = createMailer(server.url, "Consentry <no-reply@consentry.local>");
  try {
    await mailer.send(verificationMail("Wang.Fang@example.cn", "111111", 15));
    await mailer.send(verificationMail("wang.fang@example.cn", "222222", 15));
    await mailer.send(verificationMail("li.lei@example.cn", "333333", 15));
    expect(await mailTo(own, "wang.fang@example.cn")).toHaveLength(2);
    expect(await removeMailTo(own, "WANG.FANG@example.cn")).toBe(2);
    expect(await mailTo(own, "wang.fang@example.cn")).toEqual([]);
    expect((await readMailbox(own)).map((mail) => mail.to)).toEqual(["li.lei@example.cn"]);
  } finally {
    mailer.close();
    await server.stop();
    await rm(own, { recursive: true, force: true });
  }
});
