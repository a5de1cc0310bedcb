import { describe, expect, it } from "vitest";
import { guessFormat } from "./usageFormats";

describe("guessFormat", () => {
  it("reads the likely format off the extension", () => {
    expect(guessFormat("/logs/spend.csv")).toBe("litellm-spend");
    expect(guessFormat("C:\\logs\\usage.JSONL")).toBe("jsonl");
    expect(guessFormat("usage.ndjson")).toBe("jsonl");
    expect(guessFormat("openai-usage.json")).toBe("openai-usage");
    expect(guessFormat("no-extension")).toBe("litellm-spend");
  });
});
