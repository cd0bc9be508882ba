import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { makeCamera, makeOrganization, makeSite, makeUser, signIn, snapshotCompliance } from "./support";

test("a regulator opens the overview, drills into the worst site and downloads the CSV", async ({ page }) => {
  const org = await makeOrganization("Xuhui Estates");
  const worst = await makeSite(org.id, "Worst Court", { regionCode: "310104" });
  await makeSite(org.id, "Quiet Court", { regionCode: "310104" });
  await makeCamera(org.id, worst, "Unsigned gate");
  await snapshotCompliance(org.id);
  await signIn(page, (await makeUser({ jurisdictionCodes: ["310104"] })).email);

  await page.goto("/regulator");
  await expect(page.getByTestId("figures")).toContainText("Average score");
  const rows = page.getByTestId("regulator-site-row");
  await expect(rows.first()).toContainText("Worst Court");

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download CSV" }).click();
  const csv = await readFile((await (await download).path()) ?? "", "utf8");
  expect(csv).toContain("Worst Court");
  expect(csv).toContain("Quiet Court");

  await rows.first().getByRole("link", { name: "Worst Court" }).click();
  await expect(page.getByRole("heading", { name: "Worst Court" })).toBeVisible();
  await expect(page.getByTestId("regulator-finding").first()).toBeVisible();
  await expect(page.getByText("Unsigned gate").first()).toBeVisible();
});
