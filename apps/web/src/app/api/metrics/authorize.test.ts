import { describe, expect, it } from "vitest";
import { refuseMetricsScrape } from "./authorize";

const token = "metrics-token-0123456789abcdef";
const production = { token, production: true };

function expectRefused(response: Response | null) {
  expect(response?.status).toBe(401);
  expect(response?.headers.get("www-authenticate")).toMatch(/^Bearer /);
}

describe("refuseMetricsScrape", () => {
  it("lets the right bearer token through", () => {
    expect(refuseMetricsScrape(`Bearer ${token}`, production)).toBeNull();
    expect(refuseMetricsScrape(`bearer ${token}`, { token, production: false })).toBeNull();
  });

  it("refuses a wrong token, of the same or a different length, or a prefix of the right one", () => {
    expectRefused(refuseMetricsScrape(`Bearer ${token.replace(/.$/, "x")}`, production));
    expectRefused(refuseMetricsScrape(`Bearer ${token.slice(0, 8)}`, production));
    expectRefused(refuseMetricsScrape(`Bearer ${token}${token}`, production));
    expectRefused(refuseMetricsScrape(token, production)); // not a bearer credential
    expectRefused(refuseMetricsScrape(`Basic ${token}`, production));
  });

  it("refuses a scrape without an Authorization header", () => {
    expectRefused(refuseMetricsScrape(null, production));
    expectRefused(refuseMetricsScrape("", { token, production: false }));
  });

  it("in production, refuses everything when no token is configured", () => {
    expectRefused(refuseMetricsScrape(null, { token: undefined, production: true }));
    expectRefused(refuseMetricsScrape("Bearer ", { token: undefined, production: true }));
    expectRefused(refuseMetricsScrape("Bearer undefined", { token: undefined, production: true }));
  });

  it("in development and test without a token, stays open (the e2e suite scrapes it so)", () => {
    expect(refuseMetricsScrape(null, { token: undefined, production: false })).toBeNull();
  });
});
