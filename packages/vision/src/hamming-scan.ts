import { readFileSync } from "node:fs";
import wabt from "wabt";

/**
 * The Hamming-distance scan of the gallery sketches, in WebAssembly: JavaScript has no popcount, and
 * i64.popcnt makes the scan over 100,000 sketches of 1024 bits about 15 times faster than bit tricks.
 * Its source is ./hamming-scan.wat, compiled once per process by wabt (the WebAssembly binary toolkit).
 *
 * scan(sketches, rows, cutoff, out) writes, for every row (16 64-bit words each, from address
 * `sketches`) within `cutoff` bits of the probe (at address 0), its number and that distance to `out`
 * (two u32 each), and returns how many rows it wrote.
 */
export type HammingScan = (sketches: number, rows: number, cutoff: number, out: number) => number;
export type WasmMemory = { readonly buffer: ArrayBuffer; grow(pages: number): number };

/** 64-bit words per sketch, as the .wat text is written. */
export const SCAN_WORDS = 16;

/** The few WebAssembly calls used here: Node has them, but its type definitions leave them to the DOM library. */
type WasmModule = object;
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Memory: new (descriptor: { initial: number }) => WasmMemory;
      Module: new (bytes: Uint8Array) => WasmModule;
      Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
    };
  }
).WebAssembly;

const compiled = await (async () => {
  const toolkit = await wabt();
  const source = readFileSync(new URL("./hamming-scan.wat", import.meta.url), "utf8");
  const parsed = toolkit.parseWat("hamming-scan.wat", source);
  try {
    parsed.validate();
    return new wasm.Module(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
})();

/** WebAssembly memory of `pages` 64 KiB pages, to grow as needed. */
export function wasmMemory(pages: number): WasmMemory {
  return new wasm.Memory({ initial: pages });
}

/** The scan for sketches of `words` 64-bit words, over `memory`. */
export function hammingScan(words: number, memory: WasmMemory): HammingScan {
  if (words !== SCAN_WORDS) throw new Error(`the sketch scan is written for ${SCAN_WORDS} words, not ${words}`);
  return new wasm.Instance(compiled, { m: { memory } }).exports.scan as HammingScan;
}
