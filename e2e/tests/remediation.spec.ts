import { expect, type Page, test } from "@playwright/test";
import {
  makeCamera,
  makeConsentingPerson,
  makeEntryPoint,
  makeNotice,
  makeOrganization,
  makeOverdueDeletionRequest,
  makeSite,
  makeUser,
  signIn,
  siteIdOf,
} from "./support";

// Issue #17.5: a manager opens a site's compliance page, follows each finding's link and fixes it
// in the form it leads to, until the page says "No findings". The site starts as the forms' own
// steps leave one: an entry point with face recognition as the only, pre-selected way and no
// necessity note, cameras without signs, no impact assessment, consents recorded before the notice
// field existed, one bundled, a template held centrally without Transfer, an overdue deletion.
// packages/api/src/remediation.test.ts walks every code of the sample sites through the API;
// this walks them through the pages.

/** Fills the form a finding's link opened; `label` is the finding's target as the page shows it. */
type Fix = (page: Page, label: string) => Promise<void>;

const dialogOf = (page: Page) => page.getByRole("dialog");

async function saveDialog(page: Page) {
  await dialogOf(page).getByRole("button", { name: "Save" }).click();
  await expect(dialogOf(page)).toBeHidden();
}

/** The site page's entry point, edited by `change` in its form. */
const editEntryPoint =
  (change: (dialog: ReturnType<typeof dialogOf>) => Promise<void>): Fix =>
  async (page) => {
    await page
      .getByTestId("entry-point-row")
      .filter({ hasText: "Ramp gate" })
      .getByRole("button", { name: "Edit" })
      .click();
    await change(dialogOf(page));
    await saveDialog(page);
  };

/** The signs section: a sign covering the camera the finding named. */
const addSign: Fix = async (page, camera) => {
  await page.getByRole("button", { name: "Add sign" }).click();
  const dialog = dialogOf(page);
  await dialog.getByLabel("Where the sign hangs").fill(`Beside ${camera}`);
  await dialog.getByLabel("Text of the sign").fill("本区域使用摄像头 Cameras in use");
  await dialog.getByLabel(camera).check();
  await saveDialog(page);
};

/** The consent form, with the scopes named ticked beside Recognition. */
async function recordConsent(page: Page, scopes: string[] = []) {
  await page.getByRole("button", { name: "Record consent" }).click();
  const dialog = dialogOf(page);
  await expect(dialog.getByLabel("Notice shown")).toHaveValue(/.+/);
  for (const scope of scopes) await dialog.getByRole("checkbox", { name: new RegExp(`^${scope}`) }).check();
  await saveDialog(page);
}

const FIXES: Record<string, Fix> = {
  "CN-FR-08.assessmentMissing": async (page) => {
    await page.getByRole("button", { name: "Record assessment" }).click();
    const dialog = dialogOf(page);
    await dialog.getByLabel("Scope").fill("Ramp gate face recognition");
    await dialog.getByLabel("Approved by").fill("Data protection officer");
    await dialog
      .getByLabel("Assessment document")
      .setInputFiles({ name: "PIPIA.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n%%EOF\n") });
    await saveDialog(page);
  },
  "CN-FR-02.noNecessityNote": editEntryPoint((dialog) =>
    dialog.getByLabel("Why face recognition is necessary here").fill("Residents only; tailgating at the ramp."),
  ),
  "CN-FR-09.noAlternative": editEntryPoint((dialog) => dialog.getByLabel("Key card").check()),
  "CN-FR-11.faceIsDefault": editEntryPoint((dialog) => dialog.getByLabel(/^Face is pre-selected/).uncheck()),
  "CN-CAM-02.signMissing": addSign,
  "CN-CAM-02.cameraSignMissing": addSign,
  // Every consent of the person recorded without the notice gets the version they were shown.
  "CN-FR-03.consentWithoutNoticeVersion": async (page) => {
    const record = page.getByRole("button", { name: "Record the notice version" });
    await expect(record.first()).toBeVisible();
    while ((await record.count()) > 0) {
      await record.first().click();
      await saveDialog(page);
    }
  },
  // A separate consent recorded, then the one marked "Not separate" withdrawn.
  "CN-FR-04.consentBundled": async (page) => {
    await recordConsent(page);
    const bundled = page.getByTestId("consent-row").filter({ hasText: "Not separate" });
    await bundled.getByRole("button", { name: "Withdraw" }).click();
    await dialogOf(page).getByLabel("Reason for withdrawal").fill("Replaced by a separate consent");
    await dialogOf(page).getByRole("button", { name: "Withdraw" }).click();
    await expect(page.getByText(/^Consent withdrawn/)).toBeVisible();
  },
  "CN-FR-06.centralWithoutTransferConsent": (page) => recordConsent(page, ["Central storage", "Transfer"]),
  // Approved after the confirmation; the ops worker erases and completes the request.
  "CN-DSR-SLA.requestOverdue": async (page) => {
    await page.getByRole("button", { name: "Approve" }).click();
    const dialog = page.getByTestId("approve-dialog");
    await dialog.getByLabel("I understand this person's data will be erased for good.").check();
    await dialog.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByTestId("request-history")).toContainText("Erasure completed, certificate issued", {
      timeout: 30_000,
    });
  },
};

test("a manager resolves every finding of a site by following its link to the form that fixes it", async ({ page }) => {
  test.setTimeout(240_000);
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Remedy Court");
  const siteId = await siteIdOf(siteCode);
  await makeNotice(org.id, siteCode);
  const gate = await makeEntryPoint(org.id, siteCode, "Ramp gate", { faceIsDefault: true });
  await makeCamera(org.id, siteCode, "Ramp cam", { entryPointId: gate.id });
  await makeCamera(org.id, siteCode, "Lobby cam", { frEnabled: false });
  await makeConsentingPerson(org.id, siteCode, 0, { isSeparate: false, isBundled: true });
  await makeConsentingPerson(org.id, siteCode, 1);
  const leaving = await makeConsentingPerson(org.id, siteCode, 0);
  await makeOverdueDeletionRequest(org.id, siteCode, leaving.id);
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);

  const findings = page.getByTestId("finding");
  const openCompliance = async () => {
    await page.goto(`/compliance/${siteId}`);
    await expect(page.getByTestId("rule-group").first().or(page.getByText("No findings"))).toBeVisible();
  };

  // The fix order: the assessment the camera and enrolment forms wait for comes first.
  await openCompliance();
  await expect(page.getByTestId("rule-group").first()).toContainText("CN-FR-08");
  await expect(page.getByTestId("rule-group").first().getByTestId("fix-first")).toBeVisible();

  const fixed: string[] = [];
  for (let step = 0; (await findings.count()) > 0; step++) {
    expect(step, `still open after ${step} fixes: ${await findings.allInnerTexts()}`).toBeLessThan(20);
    const finding = findings.first();
    const code = (await finding.getAttribute("data-code")) ?? "";
    const label = (await finding.locator("span.font-medium").first().textContent()) ?? "";
    const key = `${code} (${label})`;
    expect(fixed, `${key} is still open after its fix`).not.toContain(key);
    const fix = FIXES[code];
    expect(fix, `${key} has no fix in this walk`).toBeDefined();
    await finding.getByRole("link").click();
    await page.waitForURL((url) => !url.pathname.startsWith("/compliance/"));
    await fix?.(page, label);
    fixed.push(key);
    await openCompliance();
  }
  await expect(page.getByText("No findings")).toBeVisible();
  expect(new Set(fixed.map((key) => key.split(" ")[0]))).toEqual(
    new Set([
      "CN-FR-08.assessmentMissing",
      "CN-FR-02.noNecessityNote",
      "CN-FR-09.noAlternative",
      "CN-FR-11.faceIsDefault",
      "CN-CAM-02.signMissing",
      "CN-CAM-02.cameraSignMissing",
      "CN-FR-03.consentWithoutNoticeVersion",
      "CN-FR-04.consentBundled",
      "CN-FR-06.centralWithoutTransferConsent",
      "CN-DSR-SLA.requestOverdue",
    ]),
  );
});
