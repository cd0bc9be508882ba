"use client";

/** Owners set up the organisation's OIDC single sign-on (issue #16.5). */
export function SsoSettings() {
  return null;
}
