import type * as ort from "onnxruntime-node";
import { type DetectedFace, type DetectorOptions, FaceDetector } from "./detector";
import { alignFace, FaceEmbedder } from "./embedder";
import type { Box } from "./geometry";
import type { RgbImage } from "./image";
import { type FivePoints, LandmarkLocator } from "./landmarks";
import type { FaceTemplate } from "./match";
import { loadModelSession, MODELS, type ModelSpec } from "./models";

export interface FaceAnalyzerOptions extends DetectorOptions {
  /** Folder with the verified .onnx files; defaults to packages/vision/models. */
  modelsDir?: string;
  /** Intra-op threads per model session (default 1); keep processes x threads <= cores. */
  threads?: number;
  /** MODELS.embedding (int8, the default) or MODELS.embeddingFloat; templates carry its version. */
  embeddingModel?: ModelSpec;
}

export interface Face extends DetectedFace {
  /** Eye centres, nose tip, mouth corners, in pixels. */
  readonly landmarks: FivePoints;
}

export interface AnalyzedFace extends Face, FaceTemplate {}

export interface FaceAnalyzer {
  /** Version of the embedding model; every template this analyzer makes carries it. */
  readonly modelId: string;
  /** Faces with their five landmarks, best score first. */
  detect(image: RgbImage): Promise<Face[]>;
  /**
   * Faces without landmarks, best score first: the detector alone, enough to follow faces from
   * frame to frame; `embed` locates the landmarks of the faces it embeds.
   */
  detectBoxes(image: RgbImage): Promise<DetectedFace[]>;
  /** Embedding of one face; uses `face.landmarks` when given, else locates them from the box. */
  embed(image: RgbImage, face: { readonly box: Box; readonly landmarks?: FivePoints }): Promise<FaceTemplate>;
  /**
   * `embed` for several faces of one frame, in order, as one call: across threads the frame is
   * copied once and the faces wait in one queue turn, not one turn each.
   */
  embedFaces(
    image: RgbImage,
    faces: readonly { readonly box: Box; readonly landmarks?: FivePoints }[],
  ): Promise<FaceTemplate[]>;
  /** detect + embed every face. */
  analyze(image: RgbImage): Promise<AnalyzedFace[]>;
  close(): Promise<void>;
}

/** Loads the three models (each verified against its pinned SHA-256) and returns an in-process analyzer. */
export async function createFaceAnalyzer(options: FaceAnalyzerOptions = {}): Promise<FaceAnalyzer> {
  const sessionOptions = { modelsDir: options.modelsDir, threads: options.threads ?? 1 };
  const embeddingModel = options.embeddingModel ?? MODELS.embedding;
  const sessions: ort.InferenceSession[] = [];
  try {
    for (const spec of [MODELS.detector, MODELS.landmarks, embeddingModel]) {
      sessions.push(await loadModelSession(spec, sessionOptions));
    }
  } catch (error) {
    await Promise.all(sessions.map((session) => session.release()));
    throw error;
  }
  const [detectorSession, landmarkSession, embeddingSession] = sessions as [
    ort.InferenceSession,
    ort.InferenceSession,
    ort.InferenceSession,
  ];
  const detector = new FaceDetector(detectorSession, options);
  const landmarkLocator = new LandmarkLocator(landmarkSession);
  const embedder = new FaceEmbedder(embeddingSession, embeddingModel);
  const modelId = embeddingModel.version;

  // The models reuse their input buffers, so calls run one after another even if callers overlap them.
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  function serialised<T>(task: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new Error("face analyzer is closed"));
    const result = queue.then(task);
    queue = result.catch(() => undefined);
    return result;
  }

  const detectFaces = async (image: RgbImage): Promise<Face[]> => {
    const faces: Face[] = [];
    for (const { box, score } of await detector.detect(image)) {
      faces.push({ box, score, landmarks: await landmarkLocator.locate(image, box) });
    }
    return faces;
  };
  const embedFace = async (image: RgbImage, face: { box: Box; landmarks?: FivePoints }): Promise<FaceTemplate> => {
    const landmarks = face.landmarks ?? (await landmarkLocator.locate(image, face.box));
    return { embedding: await embedder.embedAligned(alignFace(image, landmarks)), modelId };
  };

  return {
    modelId,
    detect: (image) => serialised(() => detectFaces(image)),
    detectBoxes: (image) => serialised(() => detector.detect(image)),
    embed: (image, face) => serialised(() => embedFace(image, face)),
    embedFaces: (image, faces) =>
      serialised(async () => {
        const templates: FaceTemplate[] = [];
        for (const face of faces) templates.push(await embedFace(image, face));
        return templates;
      }),
    analyze: (image) =>
      serialised(async () => {
        const analyzed: AnalyzedFace[] = [];
        for (const face of await detectFaces(image)) analyzed.push({ ...face, ...(await embedFace(image, face)) });
        return analyzed;
      }),
    close: () => {
      if (!closed) {
        closed = true;
        // Calls made before close() still finish; later ones are refused.
        queue = queue.then(() => Promise.all(sessions.map((session) => session.release())));
      }
      return queue.then(() => undefined);
    },
  };
}
