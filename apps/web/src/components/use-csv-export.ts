"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { downloadText } from "./download";

/** What every capped CSV export procedure answers. */
type CsvFile = { filename: string; csv: string; capped: boolean; limit: number; rows: number };

/**
 * Fetches a CSV export and downloads it, with the state its button and notes show. `describe`
 * says what was exported (or that it was capped) in the page's own words.
 */
export function useCsvExport(fetchFile: () => Promise<CsvFile>, describe: (file: CsvFile) => string) {
  const tc = useTranslations("common");
  const [exporting, setExporting] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setExporting(true);
    setError(null);
    try {
      const file = await fetchFile();
      downloadText(file.filename, file.csv, "text/csv;charset=utf-8");
      setNote(describe(file));
    } catch (failure) {
      setError(tc("loadFailed", { message: (failure as Error).message }));
    } finally {
      setExporting(false);
    }
  }

  return { exporting, note, error, run, clearNote: () => setNote(null) };
}
