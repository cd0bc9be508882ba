// Chinese working days: weekends, public holidays and make-up working days (调休).
//
// Order of authority for a calendar day (Shanghai):
//   1. WORKDAY_OVERRIDES below: for years the installed chinese-days does not cover yet;
//   2. chinese-days: the State Council's published schedules (2004 through its latest year);
//   3. an estimate for any other year: weekends plus the statutory holidays (fixed dates, and
//      lunar dates through the package's lunar calendar), without make-up days nobody knows yet.
//
// chinese-days reads dates with the process's local time zone (and parses "YYYY-MM-DD" as UTC),
// so it is only ever given a local-midnight Date built from the Shanghai calendar day: then its
// answer does not depend on the time zone the server runs in.
import chineseDays from "chinese-days";

export const SHANGHAI = "Asia/Shanghai";

/** A calendar day, "YYYY-MM-DD". */
export type DayKey = `${number}-${number}-${number}`;

export type DayKind = "workday" | "holiday";

/**
 * Days whose status the installed chinese-days does not know (or gets wrong), consulted first.
 * When the State Council publishes next year's schedule (usually in November) and the package has
 * not caught up, add every holiday and every make-up working day of that year here, e.g.
 * `"2027-02-06": "holiday"` and `"2027-02-20": "workday"`; ordinary weekdays and weekends need no entry.
 */
export const WORKDAY_OVERRIDES: Readonly<Record<DayKey, DayKind>> = {};

export interface DayDescription {
  key: DayKey;
  working: boolean;
  /** Where the answer came from; "estimated" means the year's official schedule is not known yet. */
  source: "override" | "official" | "estimated";
}

export interface WorkingDayCalendar {
  /** Whether the calendar day of `date` (in `timeZone`) is a Chinese working day. */
  isWorkingDay(date: Date | DayKey, timeZone?: string): boolean;
  /** `days` working days after the calendar day of `start`, at the same wall-clock time; negative counts back. */
  addWorkingDays(start: Date, days: number, timeZone?: string): Date;
  /** The last instant of the `days`-th working day after `start`: the deadline "within N working days". */
  workingDayDeadline(start: Date, days: number, timeZone?: string): Date;
  describeDay(date: Date | DayKey, timeZone?: string): DayDescription;
}

const DAY_MS = 86_400_000;

/** A calendar with its own override table; the module-level functions use WORKDAY_OVERRIDES. */
export function createWorkingDayCalendar(overrides: Readonly<Record<string, DayKind>> = WORKDAY_OVERRIDES) {
  const cache = new Map<number, DayDescription>();

  const describeEpochDay = (epochDay: number): DayDescription => {
    const cached = cache.get(epochDay);
    if (cached) return cached;
    const key = epochDayKey(epochDay);
    const override = overrides[key];
    let description: DayDescription;
    if (override) {
      description = { key, working: override === "workday", source: "override" };
    } else {
      const { year, month, day } = epochDayParts(epochDay);
      if (packageCoversYear(year)) {
        // Local midnight of that calendar day: the one input chinese-days reads correctly in every time zone.
        description = { key, working: chineseDays.isWorkday(new Date(year, month - 1, day)), source: "official" };
      } else {
        const weekend = isWeekend(epochDay);
        description = { key, working: !weekend && !estimatedHolidays(year).has(epochDay), source: "estimated" };
      }
    }
    cache.set(epochDay, description);
    return description;
  };

  const toEpochDay = (date: Date | DayKey, timeZone: string) =>
    typeof date === "string" ? keyToEpochDay(date) : zonedEpochDay(date, timeZone);

  const stepWorkingDays = (fromEpochDay: number, days: number) => {
    let epochDay = fromEpochDay;
    let remaining = Math.abs(days);
    const step = days < 0 ? -1 : 1;
    while (remaining > 0) {
      epochDay += step;
      if (describeEpochDay(epochDay).working) remaining--;
    }
    return epochDay;
  };

  const calendar: WorkingDayCalendar = {
    isWorkingDay: (date, timeZone = SHANGHAI) => describeEpochDay(toEpochDay(date, timeZone)).working,
    describeDay: (date, timeZone = SHANGHAI) => describeEpochDay(toEpochDay(date, timeZone)),
    addWorkingDays(start, days, timeZone = SHANGHAI) {
      assertWholeDays(days);
      const wall = zonedParts(start, timeZone);
      const target = stepWorkingDays(wall.epochDay, days);
      return zonedInstant(target, wall.msOfDay, timeZone);
    },
    workingDayDeadline(start, days, timeZone = SHANGHAI) {
      assertWholeDays(days);
      const target = stepWorkingDays(zonedEpochDay(start, timeZone), days);
      return new Date(zonedInstant(target + 1, 0, timeZone).getTime() - 1);
    },
  };
  return calendar;
}

const defaultCalendar = createWorkingDayCalendar();

/** Whether the calendar day of `date` in Shanghai (or `timeZone`) is a Chinese working day. */
export const isWorkingDay = defaultCalendar.isWorkingDay;
/** `days` Chinese working days after the Shanghai calendar day of `start`, same wall-clock time. */
export const addWorkingDays = defaultCalendar.addWorkingDays;
/** End (23:59:59.999) of the `days`-th Chinese working day after `start`: "within N working days". */
export const workingDayDeadline = defaultCalendar.workingDayDeadline;
export const describeDay = defaultCalendar.describeDay;

/**
 * `months` calendar months after `start`, same wall-clock time in `timeZone`; a day missing in the
 * target month becomes that month's last day (31 January + 1 month = 28/29 February), as EU law
 * counts periods (Regulation 1182/71, Art. 3).
 */
export function addCalendarMonths(start: Date, months: number, timeZone = "UTC"): Date {
  assertWholeDays(months);
  const wall = zonedParts(start, timeZone);
  const { year, month, day } = epochDayParts(wall.epochDay);
  const monthIndex = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = monthIndex - targetYear * 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const target = Math.round(Date.UTC(targetYear, targetMonth, Math.min(day, lastDay)) / DAY_MS);
  return zonedInstant(target, wall.msOfDay, timeZone);
}

/** The last instant (…:59.999) of the calendar day of `date` in `timeZone`. */
export function endOfDay(date: Date, timeZone: string): Date {
  return new Date(zonedInstant(zonedEpochDay(date, timeZone) + 1, 0, timeZone).getTime() - 1);
}

/** The calendar day of `date` in `timeZone`, "YYYY-MM-DD". */
export function calendarDayKey(date: Date, timeZone = SHANGHAI): DayKey {
  return epochDayKey(zonedEpochDay(date, timeZone));
}

function assertWholeDays(n: number) {
  if (!Number.isInteger(n)) throw new RangeError(`expected a whole number, got ${n}`);
}

// --- what chinese-days knows --------------------------------------------------------------------

const coveredYears = new Map<number, boolean>();

/** The package lists New Year's Day as a holiday in every year it has a schedule for. */
function packageCoversYear(year: number): boolean {
  let covered = coveredYears.get(year);
  if (covered === undefined) {
    const detail = chineseDays.getDayDetail(new Date(year, 0, 1));
    covered = !detail.work && detail.name.startsWith("New Year");
    coveredYears.set(year, covered);
  }
  return covered;
}

const estimates = new Map<number, Set<number>>();

/**
 * Statutory holidays of a year without a published schedule (national holiday rules as of 2025):
 * New Year's Day, Spring Festival eve to its third day, Qingming, 1–2 May, Dragon Boat,
 * Mid-Autumn, 1–3 October. Lunar dates come from chinese-days' lunar calendar.
 */
function estimatedHolidays(year: number): Set<number> {
  const cached = estimates.get(year);
  if (cached) return cached;
  const days = new Set<number>();
  const fixed: [number, number][] = [
    [1, 1],
    [5, 1],
    [5, 2],
    [10, 1],
    [10, 2],
    [10, 3],
  ];
  for (const [month, day] of fixed) days.add(Math.round(Date.UTC(year, month - 1, day) / DAY_MS));
  const y = year % 100;
  const qingming = Math.floor(y * 0.2422 + (year >= 2000 ? 4.81 : 5.59)) - Math.floor(y / 4);
  days.add(Math.round(Date.UTC(year, 3, qingming) / DAY_MS));
  const springFestival = findLunarDay(year, 0, 19, 35, 1, 1);
  if (springFestival !== undefined) for (let i = -1; i <= 2; i++) days.add(springFestival + i);
  const dragonBoat = findLunarDay(year, 4, 25, 35, 5, 5);
  if (dragonBoat !== undefined) days.add(dragonBoat);
  const midAutumn = findLunarDay(year, 8, 5, 36, 8, 15);
  if (midAutumn !== undefined) days.add(midAutumn);
  estimates.set(year, days);
  return days;
}

function findLunarDay(
  year: number,
  month0: number,
  fromDay: number,
  span: number,
  lunarMonth: number,
  lunarDay: number,
) {
  for (let i = 0; i < span; i++) {
    // A UTC-midnight Date: the package's lunar conversion counts whole days from an absolute instant.
    const date = new Date(Date.UTC(year, month0, fromDay + i));
    const lunar = chineseDays.getLunarDate(date);
    if (lunar.lunarMon === lunarMonth && lunar.lunarDay === lunarDay && !lunar.isLeap) {
      return Math.round(date.getTime() / DAY_MS);
    }
  }
  return undefined;
}

// --- calendar days as integers (days since 1970-01-01) -----------------------------------------

const isWeekend = (epochDay: number) => {
  const weekday = (((epochDay + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return weekday === 0 || weekday === 6;
};

function epochDayParts(epochDay: number) {
  const date = new Date(epochDay * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function epochDayKey(epochDay: number): DayKey {
  return new Date(epochDay * DAY_MS).toISOString().slice(0, 10) as DayKey;
}

function keyToEpochDay(key: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!match) throw new RangeError(`expected YYYY-MM-DD, got ${key}`);
  return Math.round(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS);
}

// --- time zones ---------------------------------------------------------------------------------

/** Zones with one offset for every date the engine meets (China has had no daylight saving since 1991). */
const FIXED_OFFSET_MS: Record<string, number> = { "Asia/Shanghai": 8 * 3_600_000, UTC: 0, "Etc/UTC": 0 };
const FIXED_SINCE = Date.UTC(1992, 0, 1);
const formatters = new Map<string, Intl.DateTimeFormat>();

function offsetAt(instant: number, timeZone: string): number {
  const fixed = FIXED_OFFSET_MS[timeZone];
  if (fixed !== undefined && instant >= FIXED_SINCE) return fixed;
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(instant))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

function zonedParts(date: Date, timeZone: string) {
  const wall = date.getTime() + offsetAt(date.getTime(), timeZone);
  const epochDay = Math.floor(wall / DAY_MS);
  return { epochDay, msOfDay: wall - epochDay * DAY_MS };
}

function zonedEpochDay(date: Date, timeZone: string): number {
  return zonedParts(date, timeZone).epochDay;
}

/** The instant at `msOfDay` into calendar day `epochDay` in `timeZone` (later offset wins in a gap). */
function zonedInstant(epochDay: number, msOfDay: number, timeZone: string): Date {
  const wall = epochDay * DAY_MS + msOfDay;
  let instant = wall - offsetAt(wall, timeZone);
  const corrected = wall - offsetAt(instant, timeZone);
  if (corrected !== instant) instant = corrected;
  return new Date(instant);
}
