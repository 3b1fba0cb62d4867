/** Markdown source as one line of plain text (render/plain-text.ts): fleet cards' last lines and search hits. */
import { describe, expect, it } from "vitest";
import { plainSnippet, readLine } from "../src/render/plain-text.js";

describe("plain text from markdown", () => {
  it("a line: markers off, links as their text, file chips as paths, table rows as cells", () => {
    expect(readLine("## Found it in `computeTotal()`")).toBe("Found it in computeTotal()");
    expect(readLine("> - **bold** and _em_ [docs](https://x.example) <file:/a/b.ts>")).toBe("bold and em docs /a/b.ts");
    expect(readLine("| 300 | pkg | 1.1 |")).toBe("300 · pkg · 1.1");
    expect(readLine("---")).toBe("");
  });

  it("a snippet: its lines joined, cut markup left as it came, hostile text kept as text", () => {
    expect(plainSnippet("…the **fix** is\n\n- round `once`…")).toBe("…the fix is round once…");
    expect(plainSnippet("…`unclosed code and **half")).toBe("…`unclosed code and half");
    expect(plainSnippet("<img src=x onerror=alert(1)>")).toBe("<img src=x onerror=alert(1)>");
    expect(plainSnippet("see [the docs](https:/…")).toBe("see the docs…");
  });
});
