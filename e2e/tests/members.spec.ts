import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { mailsTo, makeOrganization, makeUser, signIn } from "./support";

const unique = () => randomBytes(4).toString("hex");

test("a deactivated manager loses access at once: their open page's next request goes to sign-in", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000); // two people, each in their own browser
  const org = await makeOrganization();
  const owner = await makeUser({ orgId: org.id, role: "owner" });
  const manager = await makeUser({ orgId: org.id, role: "manager" });

  const managerContext = await browser.newContext();
  const managerPage = await managerContext.newPage();
  await signIn(managerPage, manager.email);
  await managerPage.goto("/sites");
  await expect(managerPage.getByRole("heading", { name: "Sites" })).toBeVisible();

  await signIn(page, owner.email);
  await page.goto("/members");
  const row = page.getByTestId("member-row").filter({ hasText: manager.email });
  await row.getByRole("button", { name: "Deactivate" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("All of their sessions end now");
  await expect(dialog.getByRole("button", { name: "Deactivate" })).toBeDisabled();
  await dialog.getByLabel("I understand that all of their sessions end now.").check();
  await dialog.getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Member deactivated" })).toBeVisible();
  await expect(row).toContainText("Deactivated");

  // The manager's open page: the API refuses, and the next navigation goes to sign-in.
  const api = await managerPage.request.get(
    `/api/trpc/sites.list?input=${encodeURIComponent(JSON.stringify({ json: { orgId: org.id } }))}`,
  );
  expect(api.status()).toBe(401);
  await managerPage.getByRole("link", { name: "Cameras" }).click();
  await expect(managerPage).toHaveURL(/\/sign-in/);
  await managerContext.close();

  // Reactivated, they can sign in again.
  await row.getByRole("button", { name: "Reactivate" }).click();
  await expect(row).toContainText("Active");
});

test("the last owner cannot step down, and an existing user joins a second organisation with one click", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000); // two people, each in their own browser
  const org = await makeOrganization();
  const owner = await makeUser({ orgId: org.id, role: "owner" });
  const other = await makeOrganization(`Second Org ${unique()}`);
  const colleague = await makeUser({ orgId: other.id, role: "manager" });

  await signIn(page, owner.email);
  await page.goto("/members");
  const self = page.getByTestId("member-row").filter({ hasText: owner.email });
  await self.getByRole("button", { name: "Change role" }).click();
  await page.getByRole("dialog").getByLabel("Role").selectOption("manager");
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "needs an active owner" })).toBeVisible();
  await expect(self).toContainText("Owner");

  // An address that is already a member is told so.
  await page.getByRole("button", { name: "Invite member" }).first().click();
  await page.getByRole("dialog").getByLabel("Email").fill(owner.email);
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("dialog").getByRole("alert").filter({ hasText: "already" })).toHaveText(
    "This address is already a member of the organisation.",
  );
  await page.getByRole("dialog").getByLabel("Email").fill(colleague.email);
  await page.getByRole("dialog").getByLabel("Role").selectOption("auditor");
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("invitation-row").filter({ hasText: colleague.email })).toBeVisible();

  let link = "";
  await expect
    .poll(async () => {
      const mails = await mailsTo(colleague.email);
      const mail = mails.find((m) => m.subject.includes("invitation"));
      link = /https?:\/\/\S+\/invite\?token=[A-Za-z0-9_-]+/.exec(mail?.text ?? "")?.[0] ?? "";
      return link;
    })
    .toContain("/invite?token=");

  const context = await browser.newContext();
  const colleaguePage = await context.newPage();
  await colleaguePage.goto(link);
  await colleaguePage.getByRole("link", { name: "Sign in to accept" }).click();
  await expect(colleaguePage).toHaveURL(/\/sign-in\?next=/);
  await colleaguePage.getByLabel("Email").fill(colleague.email);
  await colleaguePage.getByLabel("Password").fill("e2e-password-long-enough");
  await colleaguePage.getByRole("button", { name: "Sign in" }).click();
  await expect(colleaguePage).toHaveURL(/\/invite\?token=/);
  await colleaguePage.getByRole("button", { name: "Accept and join" }).click();
  await expect(colleaguePage).toHaveURL(/\/sites$/);
  await expect(colleaguePage.getByLabel("Organisation")).toContainText(`${org.name} · Auditor`);
  await expect(colleaguePage.getByLabel("Organisation").locator("option")).toHaveCount(2);
  await context.close();
});
