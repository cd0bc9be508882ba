import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeImage } from "./image";
import { fixturePath, REPO_ROOT } from "./testing";

const TSX = path.join(REPO_ROOT, "node_modules/.bin/tsx");
const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));

function runCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [CLI, ...args], { cwd: REPO_ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), "vision-cli-"));
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe("vision CLI", () => {
  it("detect prints boxes, scores and five landmarks in image pixels", async () => {
    const { code, stdout } = await runCli("detect", fixturePath("two_people.jpg"));
    expect(code).toBe(0);
    const { faces } = JSON.parse(stdout) as { faces: { box: number[]; score: number; landmarks: number[][] }[] };
    expect(faces).toHaveLength(2);
    for (const face of faces) {
      expect(face.box).toHaveLength(4);
      expect(face.score).toBeGreaterThan(0.7);
      expect(face.landmarks).toHaveLength(5);
      expect(Math.max(...face.box)).toBeLessThanOrEqual(1126);
    }
  });

  it("compare matches the same person and not different people", async () => {
    const same = await runCli("compare", fixturePath("obama.jpg"), fixturePath("obama2.jpg"));
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ match: true, threshold: expect.any(Number) });
    const different = await runCli("compare", fixturePath("obama.jpg"), fixturePath("biden.jpg"));
    expect(JSON.parse(different.stdout)).toMatchObject({ match: false });
    expect(JSON.parse(different.stdout).similarity).toBeLessThan(JSON.parse(same.stdout).similarity);
  });

  it("blur writes a JPEG with every face blurred", async () => {
    const out = path.join(outDir, "blurred.jpg");
    const { code, stdout } = await runCli("blur", fixturePath("pexels_Test3.jpg"), out);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ faces: 3, out });
    const written = await decodeImage(out);
    expect([written.width, written.height]).toEqual([1024, 1024]);
    const again = await runCli("detect", out);
    expect(JSON.parse(again.stdout)).toEqual({ faces: [] });
  });

  it("reports bad input as one line of JSON on stderr, without a stack", async () => {
    const notAnImage = await runCli("detect", fileURLToPath(new URL("../package.json", import.meta.url)));
    expect(notAnImage.code).toBe(1);
    expect(notAnImage.stdout).toBe("");
    expect(notAnImage.stderr.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(notAnImage.stderr)).toEqual({ error: "input is not an image (expected JPEG, PNG or WebP)" });

    const usage = await runCli("detect");
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stderr).error).toBe("detect takes 1 argument(s)");
  });
});
