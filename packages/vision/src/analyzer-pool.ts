import type { FaceAnalyzer, FaceAnalyzerOptions } from "./analyzer";
import { createFaceAnalyzerThread } from "./analyzer-thread";

/**
 * `size` analyzer threads behind one FaceAnalyzer: each call goes to the thread with the fewest
 * calls in flight, so frames of different cameras are analysed side by side on every core. One
 * thread (`size` 1) is createFaceAnalyzerThread itself.
 */
export async function createFaceAnalyzerPool(size: number, options: FaceAnalyzerOptions = {}): Promise<FaceAnalyzer> {
  if (!Number.isInteger(size) || size < 1) throw new Error(`an analyzer pool needs at least one thread, got ${size}`);
  if (size === 1) return createFaceAnalyzerThread(options);
  const started = await Promise.allSettled(Array.from({ length: size }, () => createFaceAnalyzerThread(options)));
  const analyzers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failure = started.find((result) => result.status === "rejected");
  if (failure) {
    await Promise.all(analyzers.map((analyzer) => analyzer.close()));
    throw failure.reason;
  }
  const inFlight = analyzers.map(() => 0);
  const onLeastBusy = <T>(work: (analyzer: FaceAnalyzer) => Promise<T>): Promise<T> => {
    const index = inFlight.indexOf(Math.min(...inFlight));
    inFlight[index] = (inFlight[index] ?? 0) + 1;
    return work(analyzers[index] as FaceAnalyzer).finally(() => {
      inFlight[index] = (inFlight[index] ?? 1) - 1;
    });
  };
  return {
    modelId: (analyzers[0] as FaceAnalyzer).modelId,
    detect: (image) => onLeastBusy((analyzer) => analyzer.detect(image)),
    detectBoxes: (image) => onLeastBusy((analyzer) => analyzer.detectBoxes(image)),
    analyze: (image) => onLeastBusy((analyzer) => analyzer.analyze(image)),
    embed: (image, face) => onLeastBusy((analyzer) => analyzer.embed(image, face)),
    embedFaces: (image, faces) => onLeastBusy((analyzer) => analyzer.embedFaces(image, faces)),
    close: async () => {
      await Promise.all(analyzers.map((analyzer) => analyzer.close()));
    },
  };
}
