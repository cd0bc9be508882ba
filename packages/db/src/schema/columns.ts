import { timestamp } from "drizzle-orm/pg-core";

// Column shapes every table repeats.

/** A point in time, always with time zone. */
export const timestamptz = () => timestamp({ withTimezone: true });
export const createdAt = () => timestamptz().notNull().defaultNow();
export const updatedAt = () => timestamptz().notNull().defaultNow();
