import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { FACES_DIR } from "@consentry/fixtures";
import { expect, test } from "@playwright/test";
import { makeAssessment, makeConsentingPerson, makeOrganization, makeSite, makeUser, signIn } from "./support";

const FACES = FACES_DIR;

test("a manager enrols a consenting person from photos; a photo of two people is refused with its reason and deleted", async ({
  page,
}) => {
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Enrolment Court");
  await makeAssessment(org.id, siteCode);
  const person = await makeConsentingPerson(org.id, siteCode, 0);
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto(`/people/${person.id}`);

  await page.getByLabel("Photos").setInputFiles([
    { name: "obama.jpg", mimeType: "image/jpeg", buffer: await readFile(resolve(FACES, "obama.jpg")) },
    { name: "two.jpg", mimeType: "image/jpeg", buffer: await readFile(resolve(FACES, "two_people.jpg")) },
  ]);
  await page.getByRole("button", { name: "Enrol", exact: true }).click();
  const row = page.getByTestId("enrolment-row");
  // An inference worker computes the template; the row follows its progress.
  await expect(row).toContainText("Enrolled", { timeout: 30_000 });
  await expect(row).toContainText("Photo 1: template created");
  await expect(row).toContainText("Photo 2: rejected — more than one face; use a photo of this person alone");
  // The refused photo (a bystander) went at once, the accepted one with its template made; the
  // reasons stay on the enrolment.
  await expect(row).toContainText("No photo is kept.");

  await page.goto("/people");
  await expect(page.getByTestId("person-row").filter({ hasText: person.pseudonym }).locator("td").nth(3)).toHaveText(
    "1",
  );
});

test("enrolment is refused, with the rule, at a site without an impact assessment (CN-FR-08)", async ({ page }) => {
  const org = await makeOrganization();
  await makeSite(org.id, "No Consent Hall");
  const otherSite = await makeSite(org.id, "Consent Elsewhere");
  const person = await makeConsentingPerson(org.id, otherSite, 0);
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto(`/people/${person.id}`);
  // Consent exists at one site only, and that site has no impact assessment.
  await page.getByLabel("Photos").setInputFiles({
    name: "obama.jpg",
    mimeType: "image/jpeg",
    buffer: await readFile(resolve(FACES, "obama.jpg")),
  });
  await page.getByRole("button", { name: "Enrol", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "CN-FR-08" })).toBeVisible();
  await expect(page.getByText("No enrolments yet.")).toBeVisible();
});
