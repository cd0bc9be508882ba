import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function fetchModels() {
  const script = fileURLToPath(new URL("./scripts/fetch-models.mjs", import.meta.url));
  execFileSync(process.execPath, [script], { stdio: "inherit" });
}
