/** The fraction of a benchmark's full size to seed while developing: `--scale 0.1` or `--scale=0.1`; 1 by default. */
export function benchScale(argv = process.argv): number {
  const at = argv.indexOf("--scale");
  const text = at >= 0 ? argv[at + 1] : argv.find((arg) => arg.startsWith("--scale="))?.slice(8);
  const scale = Number(text ?? 1);
  if (!(scale > 0 && scale <= 1)) throw new Error(`--scale must be a number in (0, 1], not "${text}"`);
  return scale;
}
