export {
  type AnalyzedFace,
  createFaceAnalyzer,
  type Face,
  type FaceAnalyzer,
  type FaceAnalyzerOptions,
} from "./analyzer";
export { createFaceAnalyzerPool } from "./analyzer-pool";
export { createFaceAnalyzerThread } from "./analyzer-thread";
export { type BlurOptions, blurFaces } from "./blur";
export { DETECTION_IOU_THRESHOLD, DETECTION_SCORE_THRESHOLD, type DetectedFace } from "./detector";
export { ALIGNED_FACE_SIZE, ARCFACE_TEMPLATE, alignFace } from "./embedder";
export { type PreparedTemplates, prepareTemplates, type TemplatePreparation } from "./gallery-sketch";
export {
  type AffineMatrix,
  type Box,
  estimateSimilarityTransform,
  intersectionOverUnion,
  nonMaxSuppression,
  type Point,
} from "./geometry";
export {
  DEFAULT_MAX_INPUT_PIXELS,
  type DecodeOptions,
  decodeImage,
  encodeJpeg,
  ImageInputError,
  type ImageInputErrorCode,
  type RgbImage,
  rgbFrame,
} from "./image";
export type { FivePoints } from "./landmarks";
export {
  cosineSimilarity,
  DEFAULT_MATCH_THRESHOLD,
  type FaceTemplate,
  type GalleryEntry,
  type GalleryMatch,
  ModelMismatchError,
  matchAgainstGallery,
} from "./match";
export { DEFAULT_MODELS_DIR, MODELS, ModelIntegrityError, type ModelSpec } from "./models";
export { startModuleThread } from "./module-thread";
