import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export type StoredMail = { id: string; to: string; subject: string; text: string; receivedAt: string };

/**
 * A real SMTP server in-process for the demo and tests (no TLS, no auth, loopback only).
 * Each message is kept as JSON in `dir`, which the dev mailbox page and tests read.
 */
export async function startDevMailServer(options: { dir: string; port?: number; host?: string }) {
  await mkdir(options.dir, { recursive: true });
  let sequence = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    async onData(stream, _session, callback) {
      try {
        const parsed = await simpleParser(stream);
        const receivedAt = new Date().toISOString();
        const id = `${Date.now()}-${String(++sequence).padStart(6, "0")}`;
        const to = [parsed.to ?? []]
          .flat()
          .flatMap((address) => address.value.map((v) => v.address ?? ""))
          .join(", ");
        const mail: StoredMail = { id, to, subject: parsed.subject ?? "", text: parsed.text ?? "", receivedAt };
        // Written aside, then renamed: a reader never sees half a message.
        const file = join(options.dir, `${id}.json`);
        await writeFile(`${file}.partial`, JSON.stringify(mail));
        await rename(`${file}.partial`, file);
        callback();
      } catch (error) {
        callback(error instanceof Error ? error : new Error(String(error)));
      }
    },
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    url: `smtp://${host}:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The newest messages first. */
export async function readMailbox(dir: string, limit = 50): Promise<StoredMail[]> {
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .reverse();
  return Promise.all(
    files.slice(0, limit).map(async (file) => JSON.parse(await readFile(join(dir, file), "utf8")) as StoredMail),
  );
}

const addressedTo = (mail: StoredMail, address: string) =>
  mail.to
    .split(",")
    .map((to) => to.trim().toLowerCase())
    .includes(address.trim().toLowerCase());

/** The stored messages addressed to `address` (the dev mailbox only), with their files, oldest first. */
async function storedMailTo(dir: string, address: string): Promise<{ file: string; mail: StoredMail }[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(".json")).sort();
  const matching: { file: string; mail: StoredMail }[] = [];
  for (const file of files) {
    const mail = JSON.parse(await readFile(join(dir, file), "utf8").catch(() => "{}")) as StoredMail;
    if (mail.to && addressedTo(mail, address)) matching.push({ file, mail });
  }
  return matching;
}

/** The stored messages addressed to `address` (the dev mailbox only): file names, oldest first. */
export async function mailTo(dir: string, address: string): Promise<string[]> {
  return (await storedMailTo(dir, address)).map(({ file }) => file);
}

/** Every stored message addressed to `address`, newest first, however many came after it. */
export async function readMailTo(dir: string, address: string): Promise<StoredMail[]> {
  return (await storedMailTo(dir, address)).map(({ mail }) => mail).reverse();
}

/** Deletes every stored message addressed to `address` (an erasure in development); returns how many. */
export async function removeMailTo(dir: string, address: string): Promise<number> {
  const files = await mailTo(dir, address);
  await Promise.all(files.map((file) => rm(join(dir, file), { force: true })));
  return files.length;
}
