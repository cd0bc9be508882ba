/**
 * The password policy's error codes (packages/auth/src/password-policy.ts, answered by Better Auth)
 * as message keys of the "passwordPolicy" namespace. Kept here, not imported, so no server code
 * reaches the browser.
 */
const PROBLEM_BY_CODE = {
  PASSWORD_TOO_SHORT: "tooShort",
  PASSWORD_TOO_LONG: "tooLong",
  PASSWORD_BREACHED: "breached",
  PASSWORD_CONTAINS_EMAIL: "containsEmail",
} as const;

export type PasswordProblemKey = (typeof PROBLEM_BY_CODE)[keyof typeof PROBLEM_BY_CODE];

export function passwordProblemKey(code: string | undefined): PasswordProblemKey | null {
  return code && code in PROBLEM_BY_CODE ? PROBLEM_BY_CODE[code as keyof typeof PROBLEM_BY_CODE] : null;
}

/** The same limits as the server's, so the form can say so before sending. */
export const PASSWORD_LIMITS = { min: 10, max: 128 } as const;

/** What the browser can tell before asking the server: length and the two copies matching. */
export function localPasswordProblem(password: string, again: string): PasswordProblemKey | "mismatch" | null {
  if (password.length < PASSWORD_LIMITS.min) return "tooShort";
  if (password.length > PASSWORD_LIMITS.max) return "tooLong";
  if (password !== again) return "mismatch";
  return null;
}
