// CN-PI-06: requests are easy to file; a refusal gives reasons (PIPL 50).
import type { SiteRule } from "./rule";
import { requestTarget } from "./targets";

export const cnPi06: SiteRule = {
  id: "CN-PI-06",
  scope: "site",
  title: "Refusals give reasons",
  check: (site) =>
    site.facts.requests
      .filter((request) => request.status === "refused" && !request.refusalReason?.trim())
      .map((request) => ({
        ruleId: "CN-PI-06",
        code: "CN-PI-06.refusalWithoutReason",
        params: { requestType: request.type },
        severity: "high",
        target: requestTarget(request),
        message: `A ${request.type} request was refused without a reason.`,
        remediation: "Record the reason for the refusal and send it to the requester, with how to complain.",
      })),
};
