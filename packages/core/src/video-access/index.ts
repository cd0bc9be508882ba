export { exportVideoAccess, VIDEO_ACCESS_CSV_COLUMNS, VIDEO_ACCESS_EXPORT_LIMIT } from "./export-video-access";
export {
  listVideoAccess,
  OPEN_SESSION_TRUST_MS,
  type VideoAccessStatus,
  videoAccessStatus,
  watchedSeconds,
} from "./list-video-access";
export {
  type ListVideoAccessInput,
  type LiveViewRequest,
  listVideoAccessInput,
  liveViewRequest,
  VIDEO_ACCESS_NOTE_MAX,
  type VideoAccessFilter,
  videoAccessFilter,
} from "./validators";
