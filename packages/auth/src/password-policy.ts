import { MIN_PASSWORD_LENGTH } from "@consentry/db";

export type PasswordProblem = "tooShort" | "tooLong" | "breached" | "containsEmail";

/**
 * What is wrong with a new password, or null (issue #16.3). Every place a password is set
 * (invitation, reset, change, admin tools) asks this.
 */
export function passwordProblem(password: string, _email: string): PasswordProblem | null {
  if (password.length < MIN_PASSWORD_LENGTH) return "tooShort";
  return null;
}
