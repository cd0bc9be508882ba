import { describe, expect, it } from "vitest";
import { regionInJurisdiction, roleAtLeast } from "./roles";

describe("roles", () => {
  it("orders owner > manager > operator > auditor", () => {
    expect(roleAtLeast("owner", "manager")).toBe(true);
    expect(roleAtLeast("manager", "manager")).toBe(true);
    expect(roleAtLeast("operator", "manager")).toBe(false);
    expect(roleAtLeast("auditor", "operator")).toBe(false);
    expect(roleAtLeast("auditor", "auditor")).toBe(true);
  });
});

describe("regionInJurisdiction", () => {
  it("matches province, city and district codes by prefix", () => {
    expect(regionInJurisdiction("310104", "310000")).toBe(true);
    expect(regionInJurisdiction("310104", "310100")).toBe(true);
    expect(regionInJurisdiction("310104", "310104")).toBe(true);
    expect(regionInJurisdiction("310104", "310105")).toBe(false);
    expect(regionInJurisdiction("320102", "310000")).toBe(false);
  });
  it("never treats an all-zero code as everywhere", () => {
    expect(regionInJurisdiction("310104", "000000")).toBe(false);
  });
});
