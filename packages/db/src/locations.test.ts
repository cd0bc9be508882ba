import { PRIVATE_SPACES } from "@consentry/compliance";
import { describe, expect, it } from "vitest";
import { PRIVATE_LOCATION_TYPES } from "./values";

describe("location types", () => {
  it("the database's private locations are exactly the rules' private spaces", () => {
    expect([...PRIVATE_LOCATION_TYPES].sort()).toEqual([...PRIVATE_SPACES].sort());
  });
});
