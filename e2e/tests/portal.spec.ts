import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import {
  countSubjectData,
  mailsTo,
  makeConsentingPerson,
  makeOrganization,
  makeSite,
  makeUser,
  signIn,
} from "./support";

const codeFor = async (email: string) => {
  const [mail] = await mailsTo(email);
  return mail?.subject.match(/\d{6}/)?.[0] ?? "";
};

/** The bytes of the file the link downloads. */
async function downloaded(page: Page, link: string): Promise<Buffer> {
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: link }).click();
  const chunks: Buffer[] = [];
  for await (const chunk of await (await download).createReadStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The text of every page, as a reader would copy it (the hash is in Courier: pdfjs's own font data). */
async function pdfText(bytes: Buffer): Promise<string> {
  const fonts = join(dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json")), "standard_fonts/");
  const document = await getDocument({ data: new Uint8Array(bytes), standardFontDataUrl: fonts }).promise;
  const pages = await Promise.all(
    Array.from({ length: document.numPages }, async (_, i) => {
      const content = await (await document.getPage(i + 1)).getTextContent();
      return content.items.map((item) => ("str" in item ? item.str : "")).join(" ");
    }),
  );
  return pages.join("\n");
}

/** Opens the request from the staff's list (filtered to open ones) and returns its person section. */
async function openRequest(staff: Page, reference: string) {
  await staff.setViewportSize({ width: 1280, height: 800 });
  await staff.goto("/requests?status=open");
  const row = staff.getByTestId("request-row").filter({ hasText: reference });
  await expect(row).toContainText("days left");
  // The list fits 1280 px: nothing hides behind a horizontal scroll (issue #17.3).
  const table = staff.locator("table").filter({ has: row }).locator("xpath=..");
  expect(await table.evaluate((box) => box.scrollWidth - box.clientWidth)).toBeLessThanOrEqual(0);
  await row.getByRole("link", { name: reference }).click();
  await expect(staff.getByRole("heading", { name: reference })).toBeVisible();
  return staff.getByTestId("request-person");
}

/** Links the person whose stored contact cannot confirm the requester, with the reason and confirmation. */
async function linkAnyway(section: Locator, pseudonym: string) {
  await section.getByRole("button", { name: "Link person" }).click();
  await section.getByLabel("Person's pseudonym").fill(pseudonym);
  await section.getByRole("button", { name: "Link", exact: true }).click();
  await expect(section.getByTestId("link-override")).toContainText("This person has no stored contact");
  const link = section.getByRole("button", { name: "Link anyway" });
  await section.getByLabel(/Why this is the requester's person/).fill("Showed their ID card at the front desk.");
  await expect(link).toBeDisabled();
  await section.getByLabel("I checked the requester's identity and they are this person.").check();
  await link.click();
  await expect(section).toContainText(pseudonym);
}

test("a data subject files a deletion request, verifies it by email, and gets a certificate once it is approved", async ({
  page,
  browser,
}) => {
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Portal Gardens");
  const person = await makeConsentingPerson(org.id, siteCode, 2);
  const email = `resident-${Date.now()}@example.cn`;

  await page.goto("/portal");
  await page.getByLabel("Site").fill(siteCode);
  await page.getByRole("button", { name: /Portal Gardens/ }).click();
  await expect(page.getByTestId("chosen-site")).toHaveText("Portal Gardens");
  await page.getByLabel("Delete my face data").check();
  await page.getByLabel("Email (we send a code to it)").fill(email);
  await page.getByRole("button", { name: "Send request" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect.poll(() => codeFor(email)).toMatch(/^\d{6}$/);
  await page.getByLabel("Code").fill(await codeFor(email));
  await page.getByRole("button", { name: "Verify" }).click();
  const reference = (await page.getByTestId("reference").textContent()) ?? "";
  expect(reference).toMatch(/^R-/);
  await page.getByRole("link", { name: "Open my status page" }).click();
  await expect(page.getByText("Received")).toBeVisible();

  const staff = await browser.newPage();
  await signIn(staff, (await makeUser({ orgId: org.id, role: "manager" })).email);
  const request = await openRequest(staff, reference);
  // The person has no stored contact to compare with the verified email: linking is refused
  // until staff confirm they checked the identity another way and say how (issue #13).
  await linkAnyway(request, person.pseudonym);
  await expect(request.getByTestId("link-overridden")).toContainText("Showed their ID card at the front desk.");
  // Approving erases for good: the dialog says what and waits for a ticked confirmation (#17.3).
  await staff.getByRole("button", { name: "Approve" }).click();
  const dialog = staff.getByTestId("approve-dialog");
  await expect(dialog.getByTestId("approve-counts")).toContainText("2 face templates");
  await expect(dialog.getByTestId("approve-counts")).toContainText("1 active consent ended");
  await expect(dialog.getByRole("button", { name: "Approve" })).toBeDisabled();
  await dialog.getByLabel("I understand this person's data will be erased for good.").check();
  await dialog.getByRole("button", { name: "Approve" }).click();
  await expect(staff.getByTestId("request-history")).toContainText("Approved");

  // The ops worker erases everything and issues the certificate: a PDF to read and the JSON
  // record, whose bytes are exactly what the stated SHA-256 is over (issue #17).
  await expect(page.getByText("Completed")).toBeVisible({ timeout: 30_000 });
  const stated = (await page.getByTestId("certificate-sha256").textContent()) ?? "";
  expect(stated).toMatch(/^[0-9a-f]{64}$/);
  await expect(page.getByTestId("certificate")).toContainText("keys sorted");
  const json = await downloaded(page, "Download the certified record (JSON)");
  expect(createHash("sha256").update(json).digest("hex")).toBe(stated);
  expect(JSON.parse(json.toString())).toMatchObject({ requestReference: reference, items: { templates: 2 } });
  const pdf = (await pdfText(await downloaded(page, "Download the deletion certificate (PDF)"))).replace(/\s+/g, "");
  for (const expected of [reference, stated, "删除证明", "人脸模板Facetemplatesface_templates2", "经理Manager"]) {
    expect(pdf).toContain(expected);
  }
  expect(await countSubjectData(person.id)).toEqual({ templates: 0, photos: 0, events: 0 });
  // The staff page follows the erasure to its end (it refreshes while the request is approved).
  await expect(staff.getByTestId("request-history")).toContainText("Erasure completed, certificate issued", {
    timeout: 15_000,
  });
  await expect(staff.getByTestId("request-history")).toContainText("2 face templates");
  await staff.close();
});

test("a refused request shows the subject the reason (CN-PI-06)", async ({ page, browser }) => {
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Refusal Court");
  const email = `visitor-${Date.now()}@example.cn`;
  await page.goto("/portal");
  await page.getByLabel("Site").fill("Refusal Court");
  await page.getByRole("button", { name: new RegExp(siteCode) }).click();
  await page.getByLabel("Show me what you hold about me").check();
  await page.getByLabel("Email (we send a code to it)").fill(email);
  await page.getByRole("button", { name: "Send request" }).click();
  await expect.poll(() => codeFor(email)).toMatch(/^\d{6}$/);
  await page.getByLabel("Code").fill("000000" === (await codeFor(email)) ? "111111" : "000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("The code is wrong or has expired.")).toBeVisible();
  await page.getByLabel("Code").fill(await codeFor(email));
  await page.getByRole("button", { name: "Verify" }).click();
  const reference = (await page.getByTestId("reference").textContent()) ?? "";
  await page.getByRole("link", { name: "Open my status page" }).click();

  const staff = await browser.newPage();
  await signIn(staff, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await openRequest(staff, reference);
  await staff.getByRole("button", { name: "Refuse" }).click();
  const dialog = staff.getByTestId("refuse-dialog");
  await dialog.getByLabel(/Reason/).fill("No.");
  await expect(dialog.getByRole("button", { name: "Refuse" })).toBeDisabled();
  await dialog.getByLabel(/Reason/).fill("We hold no face data: this site never enrolled you.");
  await dialog.getByRole("button", { name: "Refuse" }).click();
  await expect(dialog).toBeHidden();
  await expect(staff.getByTestId("request-history")).toContainText("We hold no face data");

  await expect(page.getByText("We hold no face data: this site never enrolled you.")).toBeVisible({ timeout: 15_000 });
  // The requester also gets the refusal by mail, with the reason and their status link (issue #17.2).
  const refusal = async () =>
    (await mailsTo(email)).find((mail) => mail.subject === `Consentry 请求未获批准 / request refused: ${reference}`)
      ?.text ?? "";
  await expect.poll(refusal, { timeout: 90_000 }).toContain("We hold no face data: this site never enrolled you.");
  expect(await refusal()).toContain(`/portal/status/${reference}?token=`);
  await staff.close();
});

test("a withdrawal filed in the portal ends with a withdrawal certificate the person downloads", async ({
  page,
  browser,
}) => {
  // Sign-in, approval, the ops worker's job and the status page's 10 s refresh.
  test.setTimeout(90_000);
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Withdrawal Gardens");
  const person = await makeConsentingPerson(org.id, siteCode, 2);
  const email = `leaver-${Date.now()}@example.cn`;

  await page.goto("/portal");
  await page.getByLabel("Site").fill(siteCode);
  await page.getByRole("button", { name: /Withdrawal Gardens/ }).click();
  await page.getByLabel("Withdraw my consent").check();
  await page.getByLabel("Email (we send a code to it)").fill(email);
  await page.getByRole("button", { name: "Send request" }).click();
  await expect.poll(() => codeFor(email)).toMatch(/^\d{6}$/);
  await page.getByLabel("Code").fill(await codeFor(email));
  await page.getByRole("button", { name: "Verify" }).click();
  const reference = (await page.getByTestId("reference").textContent()) ?? "";
  await page.getByRole("link", { name: "Open my status page" }).click();

  const staff = await browser.newPage();
  await signIn(staff, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await linkAnyway(await openRequest(staff, reference), person.pseudonym);
  await staff.getByRole("button", { name: "Approve" }).click();
  const dialog = staff.getByTestId("approve-dialog");
  await expect(dialog.getByTestId("approve-counts")).toContainText("2 face templates");
  await dialog.getByLabel(/I understand this person's consent ends/).check();
  await dialog.getByRole("button", { name: "Approve" }).click();

  // The ops worker deletes the face data under the withdrawn consent and certifies it.
  await expect(page.getByRole("link", { name: "Download the withdrawal certificate (PDF)" })).toBeVisible({
    timeout: 30_000,
  });
  const certificate = JSON.parse((await downloaded(page, "Download the certified record (JSON)")).toString());
  expect(certificate).toMatchObject({ kind: "withdrawal", requestReference: reference, items: { templates: 2 } });
  expect(await countSubjectData(person.id)).toEqual({ templates: 0, photos: 0, events: 0 });
  await staff.close();
});
