import { describe, expect, it } from "vitest";
import { highlight } from "./highlight";

describe("highlight", () => {
  it("keeps every character of the text", () => {
    for (const [text, lang] of [
      ['{"a": [1, true, null], "b": "x"}\n', "json"],
      ["model_list:\n  - model_name: default # c\n    litellm_params:\n      rpm: 10\n# end\n", "yaml"],
    ]) {
      expect(highlight(text, lang).map((t) => t.text).join("")).toBe(text);
    }
  });
  it("tells keys from string values in JSON", () => {
    const kinds = highlight('{"model": "gpt", "n": 2}', "json").filter((t) => t.kind !== "text" && t.kind !== "punct");
    expect(kinds).toEqual([
      { kind: "key", text: '"model"' },
      { kind: "string", text: '"gpt"' },
      { kind: "key", text: '"n"' },
      { kind: "number", text: "2" },
    ]);
  });
  it("marks YAML keys, numbers and comments", () => {
    const t = highlight("# head\nnum_retries: 2\napi_key: os.environ/KEY\n", "yaml");
    expect(t).toContainEqual({ kind: "comment", text: "# head\n" });
    expect(t).toContainEqual({ kind: "key", text: "num_retries" });
    expect(t).toContainEqual({ kind: "number", text: " 2" });
    expect(t).toContainEqual({ kind: "string", text: " os.environ/KEY" });
  });
});
