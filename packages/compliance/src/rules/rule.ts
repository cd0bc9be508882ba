// What a rule is: a pure check over indexed facts that returns findings.
import type { EngineSettings, OrganizationFacts, ProfileId, RequestFacts, TemplateFacts } from "../facts";
import type { Finding } from "../findings";
import type { SiteIndex } from "../site-index";

export type ResolvedSettings = Required<EngineSettings>;

/** What every rule may read besides the facts: the instant, the settings and the profile's deadlines. */
export interface RuleContext {
  now: Date;
  settings: ResolvedSettings;
  profile: Profile;
}

/** Checks one site at a time; the engine runs it for every site. */
export interface SiteRule {
  id: string;
  scope: "site";
  title: string;
  check(site: SiteIndex, context: RuleContext): Finding[];
}

/** Facts of the whole organisation plus what the engine derived from them. */
export interface OrganizationIndex {
  facts: OrganizationFacts;
  /** Distinct subjects holding at least one template anywhere in the organisation (CN-FR-15). */
  subjectsWithTemplates: number;
}

/** Checks the organisation as a whole (filing, audit chain). */
export interface OrganizationRule {
  id: string;
  scope: "organization";
  title: string;
  check(organization: OrganizationIndex, context: RuleContext): Finding[];
}

export type Rule = SiteRule | OrganizationRule;

/** A jurisdiction profile: a list of rules plus the deadlines and consent test they share. */
export interface Profile {
  id: ProfileId;
  name: string;
  rules: readonly Rule[];
  /** Where a deadline's day ends unless settings.timeZone says otherwise. */
  defaultTimeZone: string;
  /** Statutory deadline for answering a request verified at `verifiedAt`; null if the law sets none. */
  requestDeadline(verifiedAt: Date, request: RequestFacts, settings: ResolvedSettings): Date | null;
  /** Deadline for deleting a template after its subject withdrew consent. */
  erasureDeadline(withdrawnAt: Date, settings: ResolvedSettings): Date;
  /** Whether the consent record makes holding this template lawful (drives consent coverage). */
  templateHasValidConsent(site: SiteIndex, template: TemplateFacts, context: RuleContext): boolean;
}
