// The usage-log formats the import offers, and the guess of a file's format
// from its name (the person can change it before importing).

import type { UsageFormat } from "../bindings/UsageFormat";

/** The formats `usage import` reads, as the engine names them. */
export const USAGE_FORMATS: { id: UsageFormat; label: string }[] = [
  { id: "litellm-spend", label: "LiteLLM spend logs (CSV export)" },
  { id: "openai-usage", label: "OpenAI usage export" },
  { id: "jsonl", label: "JSON Lines" },
  { id: "csv", label: "CSV with Switchyard's columns" },
];

/** The likely format of a file, by its extension; the person can change it. */
export function guessFormat(path: string): UsageFormat {
  const ext = path.toLowerCase().split(".").pop() ?? "";
  if (ext === "jsonl" || ext === "ndjson") return "jsonl";
  if (ext === "json") return "openai-usage";
  return "litellm-spend";
}
