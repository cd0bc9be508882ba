import { MIN_PASSWORD_LENGTH } from "@consentry/db";
import { dictionary } from "@zxcvbn-ts/language-common";

export type PasswordProblem = "tooShort" | "tooLong" | "breached" | "containsEmail";

/** Longer passwords only cost hashing time; 128 leaves room for any passphrase. */
export const MAX_PASSWORD_LENGTH = 128;

/**
 * The error code Better Auth answers with, per problem, so the forms translate it. The two length
 * codes are Better Auth's own (its own length checks answer them too).
 */
export const PASSWORD_PROBLEM_CODES: Record<PasswordProblem, string> = {
  tooShort: "PASSWORD_TOO_SHORT",
  tooLong: "PASSWORD_TOO_LONG",
  breached: "PASSWORD_BREACHED",
  containsEmail: "PASSWORD_CONTAINS_EMAIL",
};

export const PASSWORD_PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  tooShort: `The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`,
  tooLong: `The password is too long: use at most ${MAX_PASSWORD_LENGTH} characters.`,
  breached: "This password appears in lists of leaked passwords. Choose another.",
  containsEmail: "The password must not contain your email address or its name part.",
};

/** A local part this short ("a", "li") would refuse half of all passwords and protects nothing. */
const MIN_LOCAL_PART = 3;

let breached: Set<string> | undefined;
/** zxcvbn-ts's list of the most common leaked passwords (about 50,000), lower-cased, loaded on first use. */
function breachedPasswords(): Set<string> {
  breached ??= new Set(dictionary["passwords-common"].map((word) => word.toLowerCase()));
  return breached;
}

/**
 * What is wrong with a new password, or null (issue #16.3). Every place a password is set
 * (invitation, reset, change, admin tools) asks this.
 */
export function passwordProblem(password: string, email: string): PasswordProblem | null {
  if (password.length < MIN_PASSWORD_LENGTH) return "tooShort";
  if (password.length > MAX_PASSWORD_LENGTH) return "tooLong";
  const lower = password.toLowerCase();
  if (breachedPasswords().has(lower)) return "breached";
  const address = email.trim().toLowerCase();
  const localPart = address.split("@")[0] ?? "";
  if (address && lower.includes(address)) return "containsEmail";
  if (localPart.length >= MIN_LOCAL_PART && lower.includes(localPart)) return "containsEmail";
  return null;
}
