import { readMailbox } from "@consentry/mail/dev-server";
import { expect, test } from "@playwright/test";
import { countSubjectData, makeConsentingPerson, makeOrganization, makeSite, makeUser, signIn } from "./support";

const codeFor = async (email: string) => {
  const mails = await readMailbox(process.env.CONSENTRY_DEV_MAILBOX_DIR ?? "");
  return mails.find((mail) => mail.to === email)?.subject.match(/\d{6}/)?.[0] ?? "";
};

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
  await staff.goto("/requests");
  const row = staff.getByTestId("request-row").filter({ hasText: reference });
  await expect(row).toContainText("days left");
  // The person has no stored contact to compare with the verified email: linking is refused
  // until staff confirm they checked the identity another way and say how (issue #13).
  await row.getByRole("button", { name: "Link person" }).click();
  await row.getByLabel("Person's pseudonym").fill(person.pseudonym);
  await row.getByRole("button", { name: "Link", exact: true }).click();
  const override = row.getByTestId("link-override");
  await expect(override).toContainText("This person has no stored contact");
  const linkAnyway = row.getByRole("button", { name: "Link anyway" });
  await row.getByLabel(/Why this is the requester's person/).fill("Showed their ID card at the front desk.");
  await expect(linkAnyway).toBeDisabled();
  await row.getByLabel("I checked the requester's identity and they are this person.").check();
  await linkAnyway.click();
  await expect(row).toContainText(person.pseudonym);
  await expect(row.getByTestId("link-overridden")).toContainText("Showed their ID card at the front desk.");
  await row.getByRole("button", { name: "Approve" }).click();

  // The ops worker erases everything and issues the certificate.
  await expect(page.getByText("Completed")).toBeVisible({ timeout: 30_000 });
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download the deletion certificate" }).click();
  const certificate = await (await download).createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of certificate) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).toString()).toContain(reference);
  expect(await countSubjectData(person.id)).toEqual({ templates: 0, photos: 0, events: 0 });
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
  await staff.goto("/requests");
  staff.once("dialog", (prompt) => prompt.accept("We hold no face data: this site never enrolled you."));
  await staff.getByTestId("request-row").filter({ hasText: reference }).getByRole("button", { name: "Refuse" }).click();
  await expect(staff.getByTestId("request-row").filter({ hasText: reference })).toContainText("We hold no face data");

  await expect(page.getByText("We hold no face data: this site never enrolled you.")).toBeVisible({ timeout: 15_000 });
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
  await staff.goto("/requests");
  const row = staff.getByTestId("request-row").filter({ hasText: reference });
  await row.getByRole("button", { name: "Link person" }).click();
  await row.getByLabel("Person's pseudonym").fill(person.pseudonym);
  await row.getByRole("button", { name: "Link", exact: true }).click();
  await row.getByLabel(/Why this is the requester's person/).fill("Showed their ID card at the front desk.");
  await row.getByLabel("I checked the requester's identity and they are this person.").check();
  await row.getByRole("button", { name: "Link anyway" }).click();
  await expect(row).toContainText(person.pseudonym);
  await row.getByRole("button", { name: "Approve" }).click();

  // The ops worker deletes the face data under the withdrawn consent and certifies it.
  const link = page.getByRole("link", { name: "Download the withdrawal certificate" });
  await expect(link).toBeVisible({ timeout: 30_000 });
  const download = page.waitForEvent("download");
  await link.click();
  const chunks: Buffer[] = [];
  for await (const chunk of await (await download).createReadStream()) chunks.push(chunk as Buffer);
  const certificate = JSON.parse(Buffer.concat(chunks).toString());
  expect(certificate).toMatchObject({ kind: "withdrawal", requestReference: reference, items: { templates: 2 } });
  expect(await countSubjectData(person.id)).toEqual({ templates: 0, photos: 0, events: 0 });
  await staff.close();
});
