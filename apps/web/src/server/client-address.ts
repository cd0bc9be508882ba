import { clientAddressFrom } from "@consentry/auth/client-address";
import { DomainError } from "@consentry/core/errors";

/**
 * The caller's address as the web server (apps/web/server.ts) computed it from the socket and
 * TRUSTED_PROXIES. Never X-Forwarded-For itself, which any client can write. A request without it
 * did not come through that server: it is refused, not counted in a bucket shared by all such.
 */
export function requestClientAddress(headers: Headers): string {
  const address = clientAddressFrom(headers);
  if (!address)
    throw new DomainError(
      "precondition",
      "The client address could not be determined. Start the web app with its own server (npm start -w @consentry/web).",
    );
  return address;
}
