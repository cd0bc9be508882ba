import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { camerasToCsv, type ExportRow } from "./cameras/csv";
import { toCsv } from "./csv";
import { organizationsToCsv, sitesToCsv } from "./regulator/csv";
import { exportSafeText } from "./validators";

const FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "＝1+1"];
const rowsOf = (csv: string) => parse(csv.replace(/^\uFEFF/, ""), { columns: true }) as Record<string, string>[];

describe("toCsv", () => {
  it("prefixes every cell that starts like a formula with ' and quotes as needed", () => {
    const csv = toCsv(
      ["value"],
      FORMULAS.map((value) => [value]),
    );
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(rowsOf(csv).map((row) => row.value)).toEqual(FORMULAS.map((value) => `'${value}`));
  });

  it("leaves plain text, negative numbers, booleans and dates alone", () => {
    const at = new Date("2026-12-01T08:00:00.000Z");
    const csv = toCsv(["a", "b", "c", "d", "e"], [['上海, 黄浦 "一号"', -5, true, at, null]]);
    expect(rowsOf(csv)).toEqual([{ a: '上海, 黄浦 "一号"', b: "-5", c: "true", d: at.toISOString(), e: "" }]);
  });
});

describe("the CSV exports", () => {
  it("camera export escapes camera and entry point names", () => {
    const row: ExportRow = {
      id: "00000000-0000-4000-8000-000000000001",
      name: '=HYPERLINK("http://evil")',
      siteCode: "S-1",
      entryPoint: "@lobby",
      locationType: "entrance",
      frEnabled: true,
      analysisFps: 5,
      rtspUrlMasked: "rtsp://cam.local/stream",
      status: "online",
      lastSeenAt: null,
    };
    const [exported] = rowsOf(camerasToCsv([row]));
    expect(exported).toMatchObject({
      name: '\'=HYPERLINK("http://evil")',
      entry_point: "'@lobby",
      fr_enabled: "true",
      analysis_fps: "5",
      last_seen_at: "",
    });
  });

  it("regulator exports escape organisation and site names", () => {
    const orgs = organizationsToCsv([
      {
        orgId: "o",
        orgName: "+cmd|' /C calc'!A0",
        sites: 1,
        averageScore: 71.6,
        critical: 0,
        peopleWithTemplates: 3,
        filed: false,
        auditChainOk: null,
      },
    ]);
    expect(rowsOf(orgs)[0]).toMatchObject({
      organisation: "'+cmd|' /C calc'!A0",
      average_score: "72",
      audit_chain: "",
    });

    const sites = sitesToCsv([
      {
        siteId: "s",
        siteName: "-1+1",
        siteCode: "S-1",
        regionCode: "310101",
        kind: "residential",
        orgId: "o",
        orgName: "@org",
        cameras: 2,
        frCameras: 1,
        score: 80,
        critical: 0,
        findings: 0,
        snapshotAt: null,
        coverage: { signage: 0.5, consent: null, alternatives: 1, requestsOnTime: null },
      },
    ] as Parameters<typeof sitesToCsv>[0]);
    expect(rowsOf(sites)[0]).toMatchObject({ organisation: "'@org", site: "'-1+1", signage_coverage: "50" });
  });
});

describe("exportSafeText", () => {
  const name = exportSafeText(1, 120);
  it.each(FORMULAS)("refuses a name starting like a formula: %j", (value) => {
    const result = name.safeParse(value.startsWith("\t") || value.startsWith("\r") ? `${value[0]}=x` : value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("formulaLike");
  });
  it("accepts ordinary names, including a dash inside", () => {
    expect(name.parse("  东门 - 入口 ")).toBe("东门 - 入口");
  });
});

describe("one CSV writer", () => {
  it("no other source file writes CSV with csv-stringify", () => {
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
      cwd: root,
      encoding: "utf8",
    })
      .split("\n")
      .filter((file) => /^(apps|packages|workers|scripts)\/.*\.tsx?$/.test(file) && existsSync(join(root, file)));
    const writers = files.filter((file) =>
      /^import[^;]+from "csv-stringify/m.test(readFileSync(join(root, file), "utf8")),
    );
    // A new export calls toCsv, so its cells are formula-safe too.
    expect(writers).toEqual(["packages/core/src/csv.ts"]);
  });
});
