"use server";

import { cookies } from "next/headers";
import { LOCALE_COOKIE, LOCALES } from "~/i18n/locales";
import { ORG_COOKIE } from "./access";

const YEAR = 60 * 60 * 24 * 365;

/** Remembers the dashboard language. */
export async function chooseLocale(locale: string) {
  if (!(LOCALES as readonly string[]).includes(locale)) throw new Error(`unsupported locale ${locale}`);
  (await cookies()).set(LOCALE_COOKIE, locale, { path: "/", maxAge: YEAR, sameSite: "lax" });
}

/** Remembers the organisation shown; membership is checked again on every request. */
export async function chooseOrganization(orgId: string) {
  if (!/^[0-9a-f-]{36}$/.test(orgId)) throw new Error("not an organisation id");
  (await cookies()).set(ORG_COOKIE, orgId, { path: "/", maxAge: YEAR, sameSite: "lax", httpOnly: true });
}
