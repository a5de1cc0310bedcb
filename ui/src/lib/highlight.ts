// A small highlighter for the YAML and JSON configs the Export page shows:
// comments, keys, strings, numbers and literals. It returns tokens, not HTML,
// so the page renders them as text and nothing in a config can inject markup.

export type TokenKind = "comment" | "key" | "string" | "number" | "literal" | "punct" | "text";

export interface Token {
  kind: TokenKind;
  text: string;
}

const JSON_TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],])/g;

function json(text: string): Token[] {
  const out: Token[] = [];
  let at = 0;
  for (const m of text.matchAll(JSON_TOKEN)) {
    const i = m.index ?? 0;
    if (i > at) out.push({ kind: "text", text: text.slice(at, i) });
    if (m[1] !== undefined) {
      out.push({ kind: m[2] ? "key" : "string", text: m[1] });
      if (m[2]) out.push({ kind: "punct", text: m[2] });
    } else if (m[3] !== undefined) out.push({ kind: "number", text: m[3] });
    else if (m[4] !== undefined) out.push({ kind: "literal", text: m[4] });
    else out.push({ kind: "punct", text: m[0] });
    at = i + m[0].length;
  }
  if (at < text.length) out.push({ kind: "text", text: text.slice(at) });
  return out;
}

function yamlValue(value: string): Token {
  const v = value.trim();
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v)) return { kind: "number", text: value };
  if (/^(true|false|null|~)$/.test(v)) return { kind: "literal", text: value };
  if (v === "") return { kind: "text", text: value };
  return { kind: "string", text: value };
}

function yaml(text: string): Token[] {
  const out: Token[] = [];
  for (const line of text.split(/(?<=\n)/)) {
    const body = line.replace(/\n$/, "");
    const newline = line.endsWith("\n") ? "\n" : "";
    const comment = body.match(/^(\s*)(#.*)$/);
    if (comment) {
      out.push({ kind: "text", text: comment[1] }, { kind: "comment", text: comment[2] + newline });
      continue;
    }
    const pair = body.match(/^(\s*(?:- )?)([^\s:#][^:#]*?)(:)(\s.*|)$/);
    if (pair) {
      out.push({ kind: "text", text: pair[1] }, { kind: "key", text: pair[2] }, { kind: "punct", text: pair[3] });
      if (pair[4]) out.push(yamlValue(pair[4]));
      out.push({ kind: "text", text: newline });
      continue;
    }
    const item = body.match(/^(\s*- )(.*)$/);
    if (item) {
      out.push({ kind: "text", text: item[1] }, yamlValue(item[2]), { kind: "text", text: newline });
      continue;
    }
    out.push({ kind: "text", text: line });
  }
  return out.filter((t) => t.text !== "");
}

export function highlight(text: string, language: string): Token[] {
  return language === "json" ? json(text) : yaml(text);
}
