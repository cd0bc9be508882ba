import { readFile } from "node:fs/promises";
import { createDatabase, desc, schema } from "@consentry/db";
import { expect, test } from "@playwright/test";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { makeCamera, makeOrganization, makeSite, makeUser, signIn, snapshotCompliance } from "./support";

const { db } = createDatabase(process.env.E2E_DATABASE_URL as string, { applicationName: "consentry-e2e", max: 1 });

/** The verdict of the latest audit-chain check, or null before the first one. */
async function latestChainCheck() {
  const [check] = await db
    .select({ ok: schema.auditChainChecks.ok })
    .from(schema.auditChainChecks)
    .orderBy(desc(schema.auditChainChecks.id))
    .limit(1);
  return check?.ok ?? null;
}

test("a regulator opens the overview, drills into the worst site and downloads the CSV and the PDF", async ({
  page,
}) => {
  test.setTimeout(60_000);
  const org = await makeOrganization("Xuhui Estates");
  const worst = await makeSite(org.id, "Worst Court", { regionCode: "310104" });
  await makeSite(org.id, "Quiet Court", { regionCode: "310104" });
  await makeCamera(org.id, worst, "Unsigned gate");
  await snapshotCompliance(org.id);
  await signIn(page, (await makeUser({ jurisdictionCodes: ["310104"] })).email);
  // The ops worker run.ts starts verifies the audit chain as soon as it is up, and no test breaks
  // the chain: by now it has been checked, and it verifies.
  await expect.poll(latestChainCheck, { timeout: 20_000 }).toBe(true);

  await page.goto("/regulator");
  await expect(page.getByTestId("figures")).toContainText("Average score");
  // The trend is never a blank box: a chart from two days of snapshots on, else why there is none.
  await expect(page.getByTestId("trend-chart").or(page.getByText("Not enough data yet"))).toBeVisible();
  const orgRow = page.getByTestId("regulator-org-row").filter({ hasText: "Xuhui Estates" });
  await expect(orgRow).toContainText("Verifies");
  await expect(orgRow).not.toContainText("Not yet checked");
  const orgPdf = page.waitForEvent("download");
  await orgRow.getByRole("link", { name: "Xuhui Estates" }).click();
  expect(await pdfText(await readFile((await (await orgPdf).path()) ?? ""))).toContain("Xuhui Estates");
  // The console links with `scope=organization`; the earlier spelling of the public parameter still works.
  const legacy = await page.request.get(`/api/regulator/report?scope=organisation&id=${org.id}`);
  expect(legacy.headers()["content-type"]).toBe("application/pdf");
  expect(await pdfText(await legacy.body())).toContain("Xuhui Estates");

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

  // Whether the retention job runs and what it deleted here: counts, never an identifier.
  const retention = page.getByTestId("regulator-retention");
  await expect(retention).toContainText("Retention (CN-FR-07)");
  await expect(retention).toContainText(/Retention runs|did not complete|No retention run/);
  await expect(retention).toContainText("Next run:");
  expect(await retention.textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/i);
  await expect(page.getByText("Signage coverage, all cameras")).toBeVisible();

  const score = (await page.getByTestId("score").first().textContent()) ?? "";
  const pdf = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download PDF report" }).click();
  const text = await pdfText(await readFile((await (await pdf).path()) ?? ""));
  expect(text).toContain("Worst Court");
  expect(text).toContain(`Score: ${score}`);
  expect(text).toContain("Rule catalogue");
  expect(text.replace(/\s+/g, "")).toContain("Rulecatalogue:version2");
  expect(text).toContain("Retention job");
  expect(text.replace(/\s+/g, "")).toContain("Auditchain(CN-FR-14):校验通过verifies");
});

/** The text of every page, as a reader would copy it. */
async function pdfText(bytes: Buffer): Promise<string> {
  const document = await getDocument({ data: new Uint8Array(bytes) }).promise;
  const pages = await Promise.all(
    Array.from({ length: document.numPages }, async (_, i) => {
      const content = await (await document.getPage(i + 1)).getTextContent();
      return content.items.map((item) => ("str" in item ? item.str : "")).join(" ");
    }),
  );
  return pages.join("\n");
}
