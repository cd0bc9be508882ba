import { createHash } from "node:crypto";
import { expect, test } from "@playwright/test";
import sharp from "sharp";
import { makeCamera, makeConsentingPerson, makeOrganization, makeSite, makeUser, signIn } from "./support";

test("a manager adds a sign covering a camera and the site's signage coverage rises", async ({ page }) => {
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Signage Plaza");
  await makeCamera(org.id, siteCode, "Face gate");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);

  await page.goto("/compliance");
  const row = page.getByTestId("compliance-row").filter({ hasText: "Signage Plaza" });
  await expect(row.getByTestId("coverage-Signage")).toHaveText("0%");
  await expect(row).toContainText("High");

  await row.getByRole("link", { name: "Signage Plaza" }).click();
  await expect(page.getByTestId("rule-group").filter({ hasText: "CN-CAM-02" })).toContainText("Visible signs");

  await page.goto("/sites");
  await page.getByRole("link", { name: "Signage Plaza" }).click();
  await page.getByRole("button", { name: "Add sign" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Where the sign hangs").fill("Main gate, eye level");
  await dialog.getByLabel("Text of the sign").fill("本区域使用人脸识别 Face recognition in use");
  await dialog.getByLabel("Face gate").check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("sign-row")).toContainText("Face gate");

  await page.goto("/compliance");
  await expect(
    page.getByTestId("compliance-row").filter({ hasText: "Signage Plaza" }).getByTestId("coverage-Signage"),
  ).toHaveText("100%");
});

test("an operator withdraws a consent and sees the person's templates queued for deletion", async ({ page }) => {
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Consent Court");
  const person = await makeConsentingPerson(org.id, siteCode, 2);
  await signIn(page, (await makeUser({ orgId: org.id, role: "operator" })).email);

  await page.goto("/people");
  const row = page.getByTestId("person-row").filter({ hasText: person.pseudonym });
  await expect(row).toContainText("测试人员");
  await row.getByRole("link", { name: person.pseudonym }).click();
  await expect(page.getByTestId("consent-row")).toContainText("Active");
  await page.getByRole("button", { name: "Withdraw" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Reason for withdrawal").fill("Moved away");
  await dialog.getByRole("button", { name: "Withdraw" }).click();
  await expect(page.getByText("Consent withdrawn; 2 templates queued for deletion.")).toBeVisible();
  await expect(page.getByTestId("consent-row")).toContainText("Withdrawn");

  await page.goto("/people");
  await expect(page.getByTestId("person-row").filter({ hasText: person.pseudonym }).locator("td").nth(3)).toHaveText(
    "0",
  );
});

test("a manager records an impact assessment and publishes a notice on the site page", async ({ page }) => {
  const org = await makeOrganization();
  await makeSite(org.id, "Records Park");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/sites");
  await page.getByRole("link", { name: "Records Park" }).click();

  await page.getByRole("button", { name: "Record assessment" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Scope").fill("All face-recognition gates");
  await dialog.getByLabel("Approved by").fill("Data protection officer");
  const file = dialog.getByLabel("Assessment document");
  await file.setInputFiles({ name: "pipia.pdf", mimeType: "application/pdf", buffer: Buffer.from("<html>") });
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByText("This file is not a PDF, DOCX or ODT document.")).toBeVisible();
  const pdf = Buffer.from("%PDF-1.4\n% PIPIA\n%%EOF\n");
  await file.setInputFiles({ name: "PIPIA 2026.pdf", mimeType: "application/pdf", buffer: pdf });
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Data protection officer")).toBeVisible();
  // The document is kept: served back as uploaded, under the SHA-256 the server computed.
  const href = await page.getByRole("link", { name: "PIPIA 2026.pdf" }).getAttribute("href");
  expect((await page.request.get(href ?? "")).headers()["x-content-sha256"]).toBe(
    createHash("sha256").update(pdf).digest("hex"),
  );

  await page.getByRole("button", { name: "Publish new version" }).click();
  for (const [label, value] of [
    ["Who processes", "Records Park Property Co."],
    ["Purpose", "Entry for residents who choose face recognition"],
    ["Method", "Matching against consenting residents only"],
    ["Retention", "Until moving out, at most one year"],
    ["Rights", "Refuse, withdraw, see, delete"],
    ["Contact", "privacy@records.example.cn"],
  ] as const) {
    await dialog.getByLabel(label, { exact: true }).fill(value);
  }
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Version 1")).toBeVisible();
});

test("a manager adds a child and records consent only with a guardian (CN-FR-05)", async ({ page }) => {
  const org = await makeOrganization();
  await makeSite(org.id, "Family Gardens");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/people");
  await page.getByRole("button", { name: "Add person" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("小红");
  await dialog.getByLabel("Under 14").check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await page.getByTestId("person-row").getByRole("link").click();

  await page.getByRole("button", { name: "Record consent" }).click();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByText("CN-FR-05: a child under 14 needs the consent of a parent or guardian.")).toBeVisible();
  await dialog.getByLabel("Guardian's name").fill("李芳");
  await dialog.getByLabel("Relation").fill("mother");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("consent-row")).toContainText("Family Gardens");
  await expect(page.getByTestId("consent-row")).toContainText("Active");
});

test("a manager records entry points with and without an alternative to face recognition", async ({ page }) => {
  const org = await makeOrganization();
  await makeSite(org.id, "Gate House");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/sites");
  await page.getByRole("link", { name: "Gate House" }).click();
  const dialog = page.getByRole("dialog");
  // The new site's checklist ticks itself from what is recorded (issue #17.6).
  const step = (text: string) => page.getByTestId("site-setup").getByRole("listitem").filter({ hasText: text });
  await expect(step("Record the entry points")).toHaveAttribute("data-done", "false");

  await page.getByRole("button", { name: "Add entry point" }).click();
  await dialog.getByLabel("Name").fill("East gate");
  await dialog.getByLabel("Key card").check();
  await dialog.getByLabel("QR code").check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole("button", { name: "Add entry point" }).click();
  await dialog.getByLabel("Name").fill("West gate");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();

  await expect(page.getByTestId("entry-point-row").filter({ hasText: "East gate" })).toContainText(
    "Key card · QR code",
  );
  const westGate = page.getByTestId("entry-point-row").filter({ hasText: "West gate" });
  await expect(westGate).toContainText("None — face recognition is the only way");
  await expect(step("Record the entry points")).toHaveAttribute("data-done", "true");
  await expect(step("Offer an alternative")).toHaveAttribute("data-done", "false");

  await westGate.getByRole("button", { name: "Edit" }).click();
  await expect(dialog.getByLabel("Name")).toHaveValue("West gate");
  await dialog.getByLabel("Staff check").check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(westGate).toContainText("Staff check");
  await expect(step("Offer an alternative")).toHaveAttribute("data-done", "true");

  page.once("dialog", (confirm) => confirm.accept());
  await page
    .getByTestId("entry-point-row")
    .filter({ hasText: "East gate" })
    .getByRole("button", { name: "Delete" })
    .click();
  await expect(page.getByTestId("entry-point-row")).toHaveCount(1);
});

test("a manager records a public-security entry point in a public place with its capture-area limit (CN-FR-12)", async ({
  page,
}) => {
  const org = await makeOrganization();
  await makeSite(org.id, "Square Plaza");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/sites");
  await page.getByRole("link", { name: "Square Plaza" }).click();
  const dialog = page.getByRole("dialog");

  await page.getByRole("button", { name: "Add entry point" }).click();
  await dialog.getByLabel("Name").fill("Square gate");
  await dialog.getByLabel("Purpose").selectOption({ label: "Public security" });
  await expect(dialog.getByLabel("How the capture area is limited")).toBeHidden();
  await dialog.getByLabel("Public place").check();
  await dialog.getByLabel("How the capture area is limited").fill("Gate lane only, 3 m deep");
  await dialog.getByLabel("Staff check").check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByTestId("entry-point-row").filter({ hasText: "Square gate" });
  await expect(row).toContainText("Public security");

  await row.getByRole("button", { name: "Edit" }).click();
  await expect(dialog.getByLabel("How the capture area is limited")).toHaveValue("Gate lane only, 3 m deep");
  await dialog.getByLabel("Public place").uncheck();
  await expect(dialog.getByLabel("How the capture area is limited")).toBeHidden();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
});

test("an evidence photo of a sign is stored without its metadata; the sign can be edited and deleted", async ({
  page,
}) => {
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Evidence Tower");
  await makeCamera(org.id, siteCode, "Lobby cam");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/sites");
  await page.getByRole("link", { name: "Evidence Tower" }).click();
  await page.getByRole("button", { name: "Add sign" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Where the sign hangs").fill("Lobby entrance");
  await dialog.getByLabel("Text of the sign").fill("本区域使用人脸识别");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByTestId("sign-row");

  await row.getByTestId("evidence-input").setInputFiles({
    name: "sign.jpg",
    mimeType: "image/jpeg",
    buffer: Buffer.from("<script>alert(1)</script>"),
  });
  await expect(row.getByRole("alert")).toHaveText("This file is not a photo. Use a JPEG, PNG or WebP image.");
  await expect(row).toContainText("No photo");

  const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: "#2a7" } })
    .withExif({ IFD0: { Artist: "gps-31.23N-121.47E" } })
    .jpeg()
    .toBuffer();
  await row.getByTestId("evidence-input").setInputFiles({ name: "sign.jpg", mimeType: "image/jpeg", buffer: photo });
  const thumbnail = row.getByRole("img", { name: "Photo of the sign at Lobby entrance" });
  await expect(thumbnail).toBeVisible();
  await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
  const served = await page.request.get((await thumbnail.getAttribute("src")) ?? "");
  const body = await served.body();
  expect(served.headers()["x-content-sha256"]).toBe(createHash("sha256").update(body).digest("hex"));
  expect((await sharp(body).metadata()).exif).toBeUndefined();

  await row.getByRole("button", { name: "Edit" }).click();
  await dialog.getByLabel("Where the sign hangs").fill("Lobby entrance, left wall");
  await dialog.getByLabel("Lobby cam").check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText("Lobby entrance, left wall");
  await expect(row).toContainText("Lobby cam");

  page.once("dialog", (confirm) => confirm.accept());
  await row.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("No signs recorded yet.")).toBeVisible();
});

test("an owner records the organisation's filing with the cyberspace office (CN-FR-15)", async ({ page }) => {
  const org = await makeOrganization();
  await makeSite(org.id, "Filing Court");
  await signIn(page, (await makeUser({ orgId: org.id, role: "owner" })).email);
  await page.goto("/compliance");
  await expect(page.getByText("Not required", { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Record filing" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("alert").first()).toBeVisible();
  await dialog.getByLabel("Authority filed with").fill("Shanghai Cyberspace Administration");
  await dialog.getByLabel("Filing reference").fill("SH-FR-2026-0042");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("latest-filing")).toContainText("Shanghai Cyberspace Administration");
  await expect(page.getByTestId("latest-filing")).toContainText("SH-FR-2026-0042");
  await expect(page.getByText("Filed", { exact: true })).toBeVisible();
});
