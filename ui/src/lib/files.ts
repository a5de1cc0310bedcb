// The file dialogs the pages share, so every page offers the same kinds.

import { open, save } from "@tauri-apps/plugin-dialog";

export const PLAN_FILTERS = [{ name: "Plans", extensions: ["toml", "json"] }];
const REPORT_FILTERS = [{ name: "HTML report", extensions: ["html"] }];

/** The plan file a person picks, or null when they cancel. */
export async function choosePlanFile(): Promise<string | null> {
  const chosen = await open({ multiple: false, directory: false, filters: PLAN_FILTERS });
  return typeof chosen === "string" ? chosen : null;
}

/** Where to write a report (one self-contained HTML file), or null. */
export function chooseReportPath(defaultPath: string): Promise<string | null> {
  return save({ defaultPath, filters: REPORT_FILTERS });
}
