import { useTranslations } from "next-intl";
import { useCallback } from "react";

/** What a finding is about, as the rules engine names it (`Target` in @consentry/compliance). */
export interface TargetLabelSource {
  label: string | null;
  labelCode?: string;
  labelParams?: Record<string, string | number>;
}

/**
 * A finding's target in the reader's language: names stay as they are; a label the engine
 * composed (`labelCode`) is translated; snapshots from before the codes keep their English label.
 */
export function useTargetLabel() {
  const t = useTranslations("findingTargets");
  const tr = useTranslations("requests.types");
  return useCallback(
    (target: TargetLabelSource) => {
      const params = target.labelParams ?? {};
      switch (target.labelCode) {
        case "notice":
          return t("notice", { version: params.version ?? "" });
        case "template":
          return t("template", { pseudonym: params.pseudonym ?? "" });
        case "unknownSubject":
          return t("unknownSubject");
        case "requestOfType":
          return t("requestOfType", { type: tr(String(params.type) as "deletion") });
        default:
          return target.label ?? "";
      }
    },
    [t, tr],
  );
}
