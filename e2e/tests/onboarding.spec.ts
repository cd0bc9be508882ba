import { randomBytes } from "node:crypto";
import { type Browser, expect, test } from "@playwright/test";
import { mailsTo, makeUser, signIn } from "./support";

const unique = () => randomBytes(4).toString("hex");
const PASSWORD = "an onboarding passphrase 2026";

/** The invite link in the latest invitation mail to `email` (the dev SMTP server's mailbox). */
async function inviteLinkFor(email: string) {
  const mails = await mailsTo(email);
  const mail = mails.find((m) => m.subject.includes("invitation"));
  return /https?:\/\/\S+\/invite\?token=[A-Za-z0-9_-]+/.exec(mail?.text ?? "")?.[0] ?? "";
}
async function waitForInvite(email: string) {
  await expect.poll(() => inviteLinkFor(email), { timeout: 15_000 }).toContain("/invite?token=");
  return inviteLinkFor(email);
}

/** Opens the link in a fresh browser (no session), creates the account and lands in the organisation. */
async function acceptAsNewPerson(browser: Browser, link: string, name: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password again").fill("something else entirely");
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "differ" })).toHaveText(
    "The two passwords differ. Type the same password twice.",
  );
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/sites$/);
  return { context, page };
}

test("a platform admin onboards an organisation; its owner accepts from the mailbox and invites a manager", async ({
  page,
  browser,
}) => {
  test.setTimeout(150_000); // three people, each in their own browser
  const admin = await makeUser({ platformAdmin: true });
  const orgName = `Onboarded ${unique()}`;
  const ownerEmail = `owner-${unique()}@test.consentry.local`;
  const managerEmail = `manager-${unique()}@test.consentry.local`;

  await signIn(page, admin.email);
  await page.goto("/organizations");
  await page.getByRole("button", { name: "New organisation" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name", { exact: true }).fill(orgName);
  await dialog.getByLabel("Short name").fill(`onboarded-${unique()}`);
  await dialog.getByLabel("Camera networks (optional)").fill("10.44.0.0/16\n10.45.0.0/16 554");
  await dialog.getByLabel("First owner's email").fill(ownerEmail);
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: `the invitation went to ${ownerEmail}` })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: orgName })).toBeVisible();

  // The owner: from the mail to an empty organisation with its first-steps checklist.
  const ownerLink = await waitForInvite(ownerEmail);
  const owner = await acceptAsNewPerson(browser, ownerLink, "Chen Owner");
  await expect(owner.page.getByLabel("Organisation")).toContainText(orgName);
  const steps = owner.page.getByTestId("first-steps");
  await expect(steps.getByRole("heading", { name: "First steps" })).toBeVisible();
  await expect(steps.getByRole("listitem")).toHaveCount(5);
  await expect(steps.locator("li[data-done=true]")).toHaveCount(0);

  // The link worked once.
  const again = await browser.newPage();
  await again.goto(ownerLink);
  await expect(again.getByRole("alert").filter({ hasText: "already been accepted" })).toBeVisible();
  await expect(again.getByText(`ask the person who invited you: ${admin.email}`)).toBeVisible();
  await again.close();

  // The owner invites a manager, who accepts and signs in.
  await owner.page.goto("/members");
  await expect(owner.page.getByTestId("member-row")).toHaveCount(1);
  await owner.page.getByRole("button", { name: "Invite member" }).first().click();
  const invite = owner.page.getByRole("dialog");
  await invite.getByLabel("Email").fill(managerEmail);
  await invite.getByLabel("Role").selectOption("manager");
  await invite.getByRole("button", { name: "Save" }).click();
  await expect(owner.page.getByRole("alert").filter({ hasText: `Invitation sent to ${managerEmail}` })).toBeVisible();
  await expect(owner.page.getByTestId("invitation-row").filter({ hasText: managerEmail })).toBeVisible();

  const manager = await acceptAsNewPerson(browser, await waitForInvite(managerEmail), "Li Manager");
  await expect(manager.page.getByLabel("Organisation")).toContainText(`${orgName} · Manager`);
  await manager.page.goto("/members");
  await expect(manager.page.getByTestId("member-row")).toHaveCount(2);
  await expect(manager.page.getByRole("button", { name: "Invite member" })).toHaveCount(0);

  await owner.page.reload();
  await expect(owner.page.getByTestId("member-row").filter({ hasText: managerEmail })).toContainText("Manager");
  await expect(owner.page.getByTestId("invitation-row")).toHaveCount(0);
  await owner.context.close();
  await manager.context.close();
});

test("a forged link says so and how to get a new one", async ({ page }) => {
  await page.goto(`/invite?token=${"x".repeat(43)}`);
  await expect(page.getByRole("heading", { name: "This invitation link no longer works" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "This link is not valid" })).toBeVisible();
  await expect(page.getByText("ask the person who invited you")).toBeVisible();
});
