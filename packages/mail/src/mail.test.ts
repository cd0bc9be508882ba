import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { readMailbox, startDevMailServer } from "./dev-server";
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
