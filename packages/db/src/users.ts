import { hashPassword } from "better-auth/crypto";
import type { Database } from "./client";
import { accounts, users } from "./schema";

export const MIN_PASSWORD_LENGTH = 10;

/**
 * Creates a user who signs in with email and password (seed, admin tools, tests), stored
 * the way Better Auth (packages/auth) reads it: a "credential" account with its hash.
 */
export async function createUserWithPassword(
  db: Database,
  input: { email: string; name: string; password: string; locale?: string },
): Promise<string> {
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const userId = crypto.randomUUID();
  const passwordHash = await hashPassword(input.password);
  await db.transaction(async (tx) => {
    await tx.insert(users).values({
      id: userId,
      email: input.email.toLowerCase(),
      name: input.name,
      emailVerified: true,
      locale: input.locale,
    });
    await tx.insert(accounts).values({
      id: crypto.randomUUID(),
      userId,
      accountId: userId,
      providerId: "credential",
      password: passwordHash,
    });
  });
  return userId;
}
