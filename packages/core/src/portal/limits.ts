import { DomainError } from "../errors";
import { type PortalServices, sameHash, statusToken } from "./services";

export const CODE_TTL_MINUTES = 15;
export const MAX_CODE_ATTEMPTS = 5;
export const PORTAL_LIMITS = { submitPerIp: 10, submitPerContact: 3, verifyPerIp: 30, windowSeconds: 3600 };

export const tooManyAttempts = () =>
  new DomainError("tooMany", "Too many attempts. Please wait an hour and try again.");

/** The request's reference, once the token proves the caller verified it; else notFound. */
export function checkStatusToken(
  deps: Pick<PortalServices, "secret">,
  input: { reference: string; token: string },
): string {
  const reference = input.reference.toUpperCase();
  const expected = statusToken(deps.secret, reference);
  if (input.token.length !== expected.length || !sameHash(input.token, expected)) {
    throw new DomainError("notFound", "No request with this reference and link.");
  }
  return reference;
}
