export { type ParsedHost, parseHost, parseIp, unmap, urlHost } from "./address";
export { cameraUrlFingerprint } from "./fingerprint";
export {
  type AddressVerdict,
  type CameraAddressVerdict,
  canonicalCidr,
  checkAddress,
  checkUrlWithPolicy,
  type NetworkPolicy,
  type NetworkRule,
  parseCidr,
  RESERVED_RANGES,
  type RefusalReason,
  type Resolver,
  reservedLabel,
  reservedOverlaps,
  systemResolver,
} from "./policy";
export { checkCameraUrl, loadNetworkPolicy } from "./store";
