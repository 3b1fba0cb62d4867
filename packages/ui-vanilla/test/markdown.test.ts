/**
 * The markdown writer's pure parts, in Node: the URL allow-list, the inline scanner and the block parser,
 * each written at once and in pieces. (The DOM writer is tested in Chromium: markdown-dom.test.ts.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BlockParser, type BlockEvents } from "../src/render/markdown/blocks.js";
import { type InlineNode, LOOKAHEAD, scanInline } from "../src/render/markdown/inline.js";
import { safeHref } from "../src/render/markdown/url.js";

/** Inline nodes as compact markup for readable expectations (not HTML: nothing here reaches a DOM). */
function show(nodes: InlineNode[]): string {
  return nodes
    .map((n) => {
      switch (n.k) {
        case "text":
          return n.s;
        case "code":
          return `{code:${n.s}}`;
        case "file":
          return `{file:${n.path}}`;
        case "image":
          return `{image:${n.alt}|${n.href}}`;
        case "link":
          return `{a ${n.href}:${show(n.c)}}`;
        default:
          return `{${n.k}:${show(n.c)}}`;
      }
    })
    .join("");
}

const inline = (s: string): string => show(scanInline(s, "", true).nodes);

/** The inline scanner driven as the writer drives it: commit what is stable after each piece. */
function streamInline(pieces: string[]): string {
  let out = "";
  let buf = "";
  let prev = "";
  for (const piece of pieces) {
    buf += piece;
    const r = scanInline(buf, prev, false);
    expect(r.stable).toBeLessThanOrEqual(buf.length);
    out += show(r.nodes);
    if (r.stable > 0) {
      prev = buf[r.stable - 1]!;
      buf = buf.slice(r.stable);
    }
  }
  return out + show(scanInline(buf, prev, true).nodes);
}

/** Cut `s` at the given fractions (deduplicated, sorted). */
function cutAt(s: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * (s.length + 1))))].filter((p) => p > 0 && p < s.length).sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of points) {
    out.push(s.slice(from, p));
    from = p;
  }
  out.push(s.slice(from));
  return out;
}

describe("safeHref", () => {
  it("allows absolute http, https and mailto URLs, normalised", () => {
    expect(safeHref("https://example.com/a b")).toBeNull();
    expect(safeHref("https://example.com/a?b=1#c")).toBe("https://example.com/a?b=1#c");
    expect(safeHref("HTTP://Example.COM")).toBe("http://example.com/");
    expect(safeHref("mailto:someone@example.com")).toBe("mailto:someone@example.com");
  });

  it("refuses every other scheme and every relative or odd form", () => {
    for (const raw of [
      "javascript:alert(1)",
      "JAVASCRIPT:alert(1)",
      " javascript:alert(1)",
      "java\tscript:alert(1)",
      "java\nscript:alert(1)",
      "\u0001javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "file:///etc/passwd",
      "//evil.example/x",
      "/relative",
      "relative/path",
      "#anchor",
      "",
      "https:",
      "http://",
    ])
      expect(safeHref(raw), raw).toBeNull();
  });
});

describe("inline scanner", () => {
  it("emphasis, strong, strike and code spans", () => {
    expect(inline("a *em* and **strong** and ***both*** ~~gone~~")).toBe("a {em:em} and {strong:strong} and {em:{strong:both}} {del:gone}");
    expect(inline("`a ** b` and ``x ` y``")).toBe("{code:a ** b} and {code:x ` y}");
    expect(inline("snake_case_name and 2*3*4")).toBe("snake_case_name and 2{em:3}4");
    expect(inline("a * b * c and **kwargs and *args")).toBe("a * b * c and **kwargs and *args");
    expect(inline("**unclosed and `unclosed")).toBe("**unclosed and `unclosed");
    expect(inline("\\*not em\\* and \\`x\\`")).toBe("*not em* and `x`");
  });

  it("links, autolinks, bare URLs and file tags; images as text", () => {
    expect(inline("see [the docs](https://example.com/a_b) now")).toBe("see {a https://example.com/a_b:the docs} now");
    expect(inline('[t](<https://x.org/a b> "title")')).toBe('[t](<https://x.org/a b> "title")');
    expect(inline('[t](https://x.org/ "title")')).toBe("{a https://x.org/:t}");
    expect(inline("<https://x.org/p> and <mailto:a@b.c>")).toBe("{a https://x.org/p:https://x.org/p} and {a mailto:a@b.c:mailto:a@b.c}");
    expect(inline("go to https://x.org/a_(b). Then")).toBe("go to {a https://x.org/a_(b):https://x.org/a_(b)}. Then");
    expect(inline("(https://x.org/a)")).toBe("({a https://x.org/a:https://x.org/a})");
    expect(inline("edit <file:/home/me/a b.ts> now")).toBe("edit {file:/home/me/a b.ts} now");
    expect(inline("![a cat](https://evil.example/x.png)")).toBe("{image:a cat|https://evil.example/x.png}");
    expect(inline("[**bold** `code`](https://x.org)")).toBe("{a https://x.org/:{strong:bold} {code:code}}");
    expect(inline("[outer [inner](https://a.org)](https://b.org)")).toBe("{a https://b.org/:outer [inner](https://a.org)}");
  });

  it("hostile input is text", () => {
    expect(inline("[x](javascript:alert(1))")).toBe("[x](javascript:alert(1))");
    expect(inline("[x](JAVASCRIPT:alert(1))")).toBe("[x](JAVASCRIPT:alert(1))");
    expect(inline("[x]( javascript:alert(1))")).toBe("[x]( javascript:alert(1))");
    expect(inline("[x](data:text/html,hi) [y](vbscript:x) [z](/rel) [w](//evil.example)")).toBe(
      "[x](data:text/html,hi) [y](vbscript:x) [z](/rel) [w](//evil.example)",
    );
    expect(inline("<javascript:alert(1)> <script>alert(1)</script> <img src=x onerror=alert(1)>")).toBe(
      "<javascript:alert(1)> <script>alert(1)</script> <img src=x onerror=alert(1)>",
    );
    expect(inline("![i](javascript:alert(1))")).toBe("![i](javascript:alert(1))");
  });

  it("says what is final while text may still follow", () => {
    expect(scanInline("plain text", "", false)).toEqual({ nodes: [{ k: "text", s: "plain text" }], stable: 10 });
    expect(scanInline("a **b", "", false).stable).toBe(2);
    expect(scanInline("a `b", "", false).stable).toBe(2);
    expect(scanInline("a [b](https://x", "", false).stable).toBe(2);
    expect(scanInline("a <file:/x", "", false).stable).toBe(2);
    expect(scanInline("see htt", "", false).stable).toBe(4);
    expect(scanInline("see https://x.org/a", "", false).stable).toBe(4);
    expect(scanInline("ends with *", "", false).stable).toBe(10);
    expect(scanInline("ends with \\", "", false).stable).toBe(10);
    // An opener further back than LOOKAHEAD can no longer close: it is final as text.
    const long = `**${"x".repeat(LOOKAHEAD + 10)}`;
    expect(scanInline(long, "", false).stable).toBe(long.length);
  });

  const inlineText = fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom("a", "b", " ", "\n", "word", "x_y", "(", ")", "é", "😀", ".", ":") },
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            "*",
            "**",
            "_",
            "__",
            "~~",
            "`",
            "``",
            "[",
            "]",
            "](",
            "!",
            "<",
            ">",
            "\\",
            "h",
            "https://",
            "http://a.b",
          ),
        },
        { weight: 1, arbitrary: fc.constantFrom("javascript:", "<file:/a/b>", "](https://x.org/p)", "mailto:a@b.c", "<https://q.r>") },
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(""));

  it("property: text written in any pieces scans as when written at once", () => {
    fc.assert(
      fc.property(inlineText, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), (s, cuts) => {
        expect(streamInline(cutAt(s, cuts))).toBe(inline(s));
        expect(streamInline([...s])).toBe(inline(s));
      }),
      { numRuns: 2000 },
    );
  });

  it("property: every href is an allowed absolute URL", () => {
    const hrefs = (nodes: InlineNode[]): string[] =>
      nodes.flatMap((n) => (n.k === "link" ? [n.href, ...hrefs(n.c)] : n.k === "image" && n.href ? [n.href] : "c" in n ? hrefs(n.c) : []));
    fc.assert(
      fc.property(fc.oneof(inlineText, fc.string({ unit: "binary", maxLength: 60 })), (s) => {
        for (const href of hrefs(scanInline(s, "", true).nodes)) expect(href).toMatch(/^(https?:\/\/[^\s]|mailto:)/);
      }),
      { numRuns: 2000 },
    );
  });
});

/** Block events as a compact log; text merged, previews and unfinished rows left out (they are replaced). */
function blockLog(pieces: string[], maxBlockChars?: number): string[] {
  const log: string[] = [];
  let chars = 0;
  const ev: BlockEvents = {
    open: (b) => log.push(`open ${JSON.stringify(b)}`),
    close: () => log.push("close"),
    text: (s) => {
      const last = log.length - 1;
      if (log[last]?.startsWith("text ")) log[last] += s;
      else log.push(`text ${s}`);
    },
    preview: () => {},
    row: (cells, done) => {
      if (done) log.push(`row ${JSON.stringify(cells)}`);
    },
    split: () => log.push("split"),
    chars: (n) => {
      chars += n;
    },
  };
  const p = new BlockParser(ev, maxBlockChars ? { maxBlockChars } : {});
  for (const piece of pieces) p.write(piece);
  p.end();
  log.push(`chars ${chars}`);
  return log;
}

/** The events of `s` written at once, checking that every character was accounted for. */
function blocks(s: string): string[] {
  const log = blockLog([s]);
  expect(log.pop()).toBe(`chars ${s.length}`);
  return log;
}

describe("block parser", () => {
  it("paragraphs, headings, rules, fenced code", () => {
    expect(blocks("# Title #\n\nsome *text*\nmore\n\n---\n```ts\nconst a = 1;\n\n```\nafter")).toEqual([
      'open {"kind":"heading","level":1}',
      "text Title",
      "close",
      'open {"kind":"para"}',
      "text some *text*\nmore",
      "close",
      'open {"kind":"hr"}',
      "close",
      'open {"kind":"code","lang":"ts"}',
      "text const a = 1;\n\n",
      "close",
      'open {"kind":"para"}',
      "text after",
      "close",
    ]);
  });

  it("lists nest by indentation and hold code blocks; quotes; lazy lines", () => {
    expect(blocks("- a\n  - b\n- c\n\n1. one\n   ```sh\n   npm test\n   ```\n2. two\n> quote\nlazy\n")).toEqual([
      'open {"kind":"list","ordered":false,"start":0}',
      'open {"kind":"item"}',
      'open {"kind":"para"}',
      "text a",
      "close",
      'open {"kind":"list","ordered":false,"start":0}',
      'open {"kind":"item"}',
      'open {"kind":"para"}',
      "text b",
      "close",
      "close",
      "close",
      "close",
      'open {"kind":"item"}',
      'open {"kind":"para"}',
      "text c",
      "close",
      "close",
      "close",
      'open {"kind":"list","ordered":true,"start":1}',
      'open {"kind":"item"}',
      'open {"kind":"para"}',
      "text one",
      "close",
      'open {"kind":"code","lang":"sh"}',
      "text npm test\n",
      "close",
      "close",
      'open {"kind":"item"}',
      'open {"kind":"para"}',
      "text two",
      "close",
      "close",
      "close",
      'open {"kind":"quote"}',
      'open {"kind":"para"}',
      "text quote\nlazy",
      "close",
      "close",
    ]);
  });

  it("a table needs its delimiter row; a lone | line is text", () => {
    expect(blocks("| a | b |\n|:--|--:|\n| 1 | 2 \\| 3 |\n| 4 |\n\n| x |\nnot a table")).toEqual([
      'open {"kind":"table","header":["a","b"],"align":["left","right"]}',
      'row ["1","2 | 3"]',
      'row ["4"]',
      "close",
      'open {"kind":"para"}',
      "text | x |\nnot a table",
      "close",
    ]);
  });

  it("an unclosed fence stays open to the end; a `***` line is a rule, `**bold**` a paragraph", () => {
    expect(blocks("```\ncode\n***\n")).toEqual(['open {"kind":"code","lang":""}', "text code\n***\n", "close"]);
    expect(blocks("***\n**bold**")).toEqual(['open {"kind":"hr"}', "close", 'open {"kind":"para"}', "text **bold**", "close"]);
  });

  it("a long block continues in a new one at a line boundary, and a very long line is cut", () => {
    const log = blockLog([`${"word ".repeat(30)}\n`.repeat(10)], 256);
    expect(log.filter((l) => l === "split").length).toBeGreaterThan(2);
    const cut = blockLog([`\`\`\`\n${"x".repeat(3000)}\n\`\`\``], 256);
    expect(cut.filter((l) => l === "split").length).toBe(2);
    expect(cut.at(-1)).toBe("chars 3008");
    // A line of megabytes in small pieces (the parser keeps only what it has not passed on yet).
    const huge = `para ${"word `code` ".repeat(100_000)}\nnext\n`;
    const pieces = huge.match(/[\s\S]{1,997}/g)!;
    expect(blockLog(pieces)).toEqual(blockLog([huge]));
    const code = `\`\`\`\n${"x".repeat(300_000)}\n\`\`\`\n`;
    expect(blockLog(code.match(/[\s\S]{1,4093}/g)!)).toEqual(blockLog([code]));
  });

  const blockText = fc
    .array(
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom("a", "b c", " ", "  ", "\n", "\n\n", "\t", "word ", "*", "_", "`") },
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            "- ",
            "* ",
            "+ ",
            "1. ",
            "2) ",
            "> ",
            "# ",
            "### ",
            "```",
            "~~~",
            "```js\n",
            "---",
            "***",
            "| a | b |\n",
            "|---|:-:|\n",
            "|",
            "    ",
          ),
        },
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(""));

  it("property: text written in any pieces gives the same blocks as written at once", () => {
    fc.assert(
      fc.property(
        blockText,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        fc.constantFrom(64, 100, 8192),
        (s, cuts, max) => {
          const whole = blockLog([s], max);
          expect(blockLog(cutAt(s, cuts), max)).toEqual(whole);
          expect(blockLog([...s], max)).toEqual(whole);
          expect(whole.at(-1)).toBe(`chars ${s.length}`);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
