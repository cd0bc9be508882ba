import { expect, test } from "@playwright/test";
import { makeOrganization, makeSite, makeUser, signIn } from "./support";

// Camera networks (issue #13): owners list where cameras may be; nothing outside is registered.

test("an owner adds a camera network; a camera outside the organisation's networks is refused", async ({ page }) => {
  const org = await makeOrganization();
  await makeSite(org.id, "Network Plaza");
  await signIn(page, (await makeUser({ orgId: org.id, role: "owner" })).email);
  await page.goto("/camera-networks");
  await expect(page.getByRole("heading", { name: "Camera networks" })).toBeVisible();
  // support.ts lists the simulator's address and 10.0.0.0/8.
  await expect(page.getByTestId("network-row")).toHaveCount(2);

  await page.getByRole("button", { name: "Add network" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Network (CIDR)").fill("172.16.0.0/33");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByText("Enter a network such as 10.20.0.0/16", { exact: false })).toBeVisible();
  await dialog.getByLabel("Network (CIDR)").fill("172.16.9.9/12");
  await dialog.getByLabel("First port").fill("600");
  await dialog.getByLabel("Last port").fill("554");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByText("The last port must not be below the first.")).toBeVisible();
  await dialog.getByLabel("First port").fill("554");
  await dialog.getByLabel("Note").fill("Car park");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  const added = page.getByTestId("network-row").filter({ hasText: "172.16.0.0/12" });
  await expect(added).toContainText("554");
  await expect(added).toContainText("Car park");

  await page.goto("/cameras");
  await page.getByRole("button", { name: "Add camera" }).first().click();
  const camera = page.getByRole("dialog");
  await camera.getByLabel("Name").fill("Car park gate");
  await camera.getByLabel("Site").selectOption({ label: "Network Plaza" });
  await camera.getByLabel("Location").selectOption("entrance");
  await camera.getByLabel("RTSP address").fill("rtsp://172.16.5.5:8554/live");
  await camera.getByRole("button", { name: "Save" }).click();
  await expect(
    camera.getByText("This address is not in your organisation's camera networks.", { exact: false }),
  ).toBeVisible();
  const path = Math.random().toString(36).slice(2, 8);
  await camera.getByLabel("RTSP address").fill(`rtsp://172.16.5.5/${path}`);
  await camera.getByRole("button", { name: "Save" }).click();
  await expect(camera).toBeHidden();
  await expect(page.getByRole("link", { name: "Car park gate" })).toBeVisible();

  await page.goto("/camera-networks");
  page.once("dialog", (confirm) => confirm.accept());
  await page
    .getByTestId("network-row")
    .filter({ hasText: "172.16.0.0/12" })
    .getByRole("button", { name: "Remove" })
    .click();
  await expect(page.getByTestId("network-row")).toHaveCount(2);
});

test("a manager sees the camera networks but cannot change them", async ({ page }) => {
  const org = await makeOrganization();
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/camera-networks");
  await expect(page.getByTestId("network-row")).toHaveCount(2);
  await expect(page.getByText("Only owners can change this list.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add network" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Remove" })).toHaveCount(0);
});
