import { describe, expect, it } from "vitest";
import { requestDueAt } from "./evaluate";
import {
  addCalendarMonths,
  addWorkingDays,
  calendarDayKey,
  createWorkingDayCalendar,
  type DayKey,
  describeDay,
  endOfDay,
  isWorkingDay,
  WORKDAY_OVERRIDES,
  workingDayDeadline,
} from "./working-days";

/** 10:00 on a Shanghai calendar day. */
const shanghai = (day: string, time = "10:00") => new Date(`${day}T${time}:00+08:00`);

describe("Chinese working days", () => {
  it("knows the 2025 National Day and Mid-Autumn break (1–8 October) and its make-up days", () => {
    for (let day = 1; day <= 8; day++) expect(isWorkingDay(`2025-10-0${day}` as DayKey)).toBe(false);
    expect(isWorkingDay("2025-09-28")).toBe(true); // Sunday, worked in lieu
    expect(isWorkingDay("2025-10-11")).toBe(true); // Saturday, worked in lieu
    expect(isWorkingDay("2025-10-12")).toBe(false); // an ordinary Sunday
    expect(isWorkingDay("2025-10-09")).toBe(true);
  });

  it("knows the 2026 Spring Festival (15–23 February) and its make-up Saturdays", () => {
    for (const day of ["2026-02-15", "2026-02-16", "2026-02-17", "2026-02-20", "2026-02-23"] as const) {
      expect(isWorkingDay(day)).toBe(false);
    }
    expect(isWorkingDay("2026-02-14")).toBe(true);
    expect(isWorkingDay("2026-02-28")).toBe(true);
    expect(calendarDayKey(addWorkingDays(shanghai("2026-02-13"), 1))).toBe("2026-02-14");
    expect(calendarDayKey(addWorkingDays(shanghai("2026-02-14"), 1))).toBe("2026-02-24");
  });

  it("counts 15 working days from just before National Day across the golden week", () => {
    // 26 Sep 2025 (Fri): 28, 29, 30 Sep, then 9, 10, 11 (Sat, make-up), 13–17, 20–23 Oct.
    expect(addWorkingDays(shanghai("2025-09-26"), 15)).toEqual(shanghai("2025-10-23"));
    // 29 Sep 2026 (Tue): 30 Sep, then 8, 9, 10 (Sat, make-up), 12–16, 19–23, 26 Oct.
    expect(addWorkingDays(shanghai("2026-09-29", "16:30"), 15)).toEqual(shanghai("2026-10-26", "16:30"));
    expect(isWorkingDay("2026-09-20")).toBe(true); // Sunday make-up day before the 2026 golden week
  });

  it("counts across Qingming, Labour Day and the 27 April 2025 make-up Sunday", () => {
    expect(calendarDayKey(workingDayDeadline(shanghai("2025-04-01"), 30))).toBe("2025-05-16");
  });

  it("uses the Shanghai calendar day of an instant, not UTC's", () => {
    const lateMonday = new Date("2025-09-29T20:00:00Z"); // already Tuesday 30 Sep, 04:00 in Shanghai
    expect(isWorkingDay(lateMonday)).toBe(true);
    expect(addWorkingDays(lateMonday, 1)).toEqual(new Date("2025-10-08T20:00:00Z")); // Thu 9 Oct 04:00 Shanghai
    expect(addWorkingDays(lateMonday, 1, "UTC")).toEqual(new Date("2025-09-30T20:00:00Z"));
  });

  it("gives a deadline at the end of the last working day, in Shanghai", () => {
    expect(workingDayDeadline(shanghai("2025-09-26"), 15)).toEqual(new Date("2025-10-23T15:59:59.999Z"));
    expect(endOfDay(shanghai("2025-10-23"), "Asia/Shanghai")).toEqual(new Date("2025-10-23T15:59:59.999Z"));
  });

  it("counts backwards and refuses fractions", () => {
    expect(calendarDayKey(addWorkingDays(shanghai("2025-10-09"), -1))).toBe("2025-09-30");
    expect(addWorkingDays(shanghai("2025-10-09"), 0)).toEqual(shanghai("2025-10-09"));
    expect(() => addWorkingDays(shanghai("2025-10-09"), 1.5)).toThrow(RangeError);
  });

  it("answers the same whatever time zone the server runs in", () => {
    // biome-ignore lint/style/noProcessEnv: the point is to change the process's zone under chinese-days
    const env = process.env;
    const original = env.TZ;
    try {
      const julyOffsets = { "America/Los_Angeles": 420, "Pacific/Kiritimati": -840, UTC: 0 };
      for (const [zone, offset] of Object.entries(julyOffsets)) {
        env.TZ = zone;
        expect(new Date(2025, 6, 1).getTimezoneOffset(), "the zone change took effect").toBe(offset);
        const calendar = createWorkingDayCalendar({});
        expect(calendar.isWorkingDay("2025-09-28"), zone).toBe(true);
        expect(calendar.isWorkingDay("2025-10-01"), zone).toBe(false);
        expect(calendar.addWorkingDays(shanghai("2025-09-26"), 15), zone).toEqual(shanghai("2025-10-23"));
      }
    } finally {
      if (original === undefined) delete env.TZ;
      else env.TZ = original;
    }
  });

  it("says where each answer comes from", () => {
    expect(describeDay("2025-10-01")).toEqual({ key: "2025-10-01", working: false, source: "official" });
    expect(describeDay("2027-03-01").source).toBe("estimated");
  });

  it("estimates the statutory holidays of a year without a published schedule", () => {
    const calendar = createWorkingDayCalendar({});
    // 2027: New Year, Spring Festival eve to day 3 (5–8 Feb), Qingming (5 Apr), 1–2 May (a weekend),
    // Dragon Boat (9 Jun), Mid-Autumn (15 Sep), 1–3 October.
    for (const day of [
      "2027-01-01",
      "2027-02-05",
      "2027-02-08",
      "2027-04-05",
      "2027-06-09",
      "2027-09-15",
      "2027-10-01",
    ] as const) {
      expect(calendar.describeDay(day), day).toEqual({ key: day, working: false, source: "estimated" });
    }
    expect(calendar.isWorkingDay("2027-02-09")).toBe(true); // bridge days are unknown until published
    expect(calendar.isWorkingDay("2027-10-04")).toBe(true);
  });

  it("consults the override table before the package", () => {
    const calendar = createWorkingDayCalendar({
      "2027-02-09": "holiday",
      "2027-02-20": "workday",
      "2025-10-01": "workday",
    });
    expect(calendar.describeDay("2027-02-09")).toEqual({ key: "2027-02-09", working: false, source: "override" });
    expect(calendar.isWorkingDay("2027-02-20")).toBe(true); // a Saturday made a working day
    expect(calendar.describeDay("2025-10-01").source).toBe("override");
    // Thu 4 Feb 2027 + 1: the eve, the weekend, day 3 and (overridden) day 4 are off, so Wed 10 Feb;
    // Thu 18 Feb + 2 reaches the overridden make-up Saturday.
    expect(calendarDayKey(calendar.addWorkingDays(shanghai("2027-02-04"), 1))).toBe("2027-02-10");
    expect(calendarDayKey(calendar.addWorkingDays(shanghai("2027-02-18"), 2))).toBe("2027-02-20");
  });

  it("keeps the shipped override table to years the package does not cover", () => {
    const packageOnly = createWorkingDayCalendar({});
    for (const key of Object.keys(WORKDAY_OVERRIDES) as DayKey[]) {
      expect(packageOnly.describeDay(key).source, `${key} is covered by chinese-days now; remove the override`).toBe(
        "estimated",
      );
    }
  });
});

describe("calendar months (EU)", () => {
  it("ends on the same date next month, or that month's last day", () => {
    expect(addCalendarMonths(new Date("2025-01-31T12:00:00Z"), 1)).toEqual(new Date("2025-02-28T12:00:00Z"));
    expect(addCalendarMonths(new Date("2024-01-31T12:00:00Z"), 1)).toEqual(new Date("2024-02-29T12:00:00Z"));
    expect(addCalendarMonths(new Date("2025-11-15T12:00:00Z"), 3)).toEqual(new Date("2026-02-15T12:00:00Z"));
  });

  it("keeps the wall-clock time across a daylight-saving change", () => {
    // 10:00 in Brussels on 15 March (UTC+1) is 10:00 on 15 April (UTC+2).
    expect(addCalendarMonths(new Date("2025-03-15T09:00:00Z"), 1, "Europe/Brussels")).toEqual(
      new Date("2025-04-15T08:00:00Z"),
    );
  });
});

describe("requestDueAt", () => {
  it("gives 15 Chinese working days under CN and one month under EU", () => {
    // Verified Monday 2026-09-28: the National Day week (Oct 1–7) is not counted under CN.
    const verifiedAt = new Date("2026-09-28T02:00:00Z");
    const cn = requestDueAt("CN", verifiedAt);
    expect(cn && cn > new Date("2026-10-20T00:00:00Z")).toBe(true);
    expect(requestDueAt("EU", verifiedAt)?.toISOString().slice(0, 7)).toBe("2026-10");
    expect(requestDueAt("US-IL", verifiedAt)).toBeNull();
  });
});
