import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ansiCss, parseAnsi, stripAnsi, type AnsiSpan, type AnsiStyle } from "../src/views/logs/ansi.js";

const E = "\x1b";
const PLAIN: AnsiStyle = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false, strike: false };
const style = (s: Partial<AnsiStyle>): AnsiStyle => ({ ...PLAIN, ...s });
const spans = (text: string): AnsiSpan[] => parseAnsi(text).spans;
const textOf = (text: string): string =>
  spans(text)
    .map((s) => s.text)
    .join("");

describe("ANSI → spans", () => {
  it("text without escapes is one plain span", () => {
    expect(spans("plain text\n")).toEqual([{ text: "plain text\n", style: null }]);
    expect(spans("")).toEqual([]);
  });

  it("the 16 colours stay palette indexes (theme colours), foreground and background, normal and bright", () => {
    expect(spans(`${E}[31mred${E}[0m plain`)).toEqual([
      { text: "red", style: style({ fg: 1 }) },
      { text: " plain", style: null },
    ]);
    expect(spans(`${E}[91;42mx`)).toEqual([{ text: "x", style: style({ fg: 9, bg: 2 }) }]);
    expect(spans(`${E}[37;103mx${E}[39my${E}[49mz`)).toEqual([
      { text: "x", style: style({ fg: 7, bg: 11 }) },
      { text: "y", style: style({ bg: 11 }) },
      { text: "z", style: null },
    ]);
  });

  it("256 colours: 0–15 stay theme colours, the cube and the greys become #rrggbb", () => {
    expect(spans(`${E}[38;5;12mx`)[0]!.style).toEqual(style({ fg: 12 }));
    expect(spans(`${E}[38;5;196mx`)[0]!.style).toEqual(style({ fg: "#ff0000" }));
    expect(spans(`${E}[38;5;16mx`)[0]!.style).toEqual(style({ fg: "#000000" }));
    expect(spans(`${E}[38;5;231mx`)[0]!.style).toEqual(style({ fg: "#ffffff" }));
    expect(spans(`${E}[48;5;232mx`)[0]!.style).toEqual(style({ bg: "#080808" }));
    expect(spans(`${E}[48;5;255mx`)[0]!.style).toEqual(style({ bg: "#eeeeee" }));
    expect(spans(`${E}[38:5:208mx`)[0]!.style).toEqual(style({ fg: "#ff8700" }));
  });

  it("24-bit colours, with ; and with : (with or without a colour-space id)", () => {
    expect(spans(`${E}[38;2;10;20;30mx`)[0]!.style).toEqual(style({ fg: "#0a141e" }));
    expect(spans(`${E}[48;2;255;255;255mx`)[0]!.style).toEqual(style({ bg: "#ffffff" }));
    expect(spans(`${E}[38:2:10:20:30mx`)[0]!.style).toEqual(style({ fg: "#0a141e" }));
    expect(spans(`${E}[38:2::10:20:30mx`)[0]!.style).toEqual(style({ fg: "#0a141e" }));
    // Arguments are consumed: "1" here is the red component, not bold.
    expect(spans(`${E}[38;2;1;2;3;4mx`)[0]!.style).toEqual(style({ fg: "#010203", underline: true }));
  });

  it("bold, dim, italic, underline, inverse, strike-through and their resets", () => {
    expect(spans(`${E}[1;2;3;4;7;9mx`)[0]!.style).toEqual(
      style({ bold: true, dim: true, italic: true, underline: true, inverse: true, strike: true }),
    );
    expect(spans(`${E}[1;3;4mx${E}[22my${E}[23;24mz`)).toEqual([
      { text: "x", style: style({ bold: true, italic: true, underline: true }) },
      { text: "y", style: style({ italic: true, underline: true }) },
      { text: "z", style: null },
    ]);
    expect(spans(`${E}[4:3mx${E}[4:0my`)).toEqual([
      { text: "x", style: style({ underline: true }) },
      { text: "y", style: null },
    ]);
  });

  it("reset: 0, empty and leading empty parameters", () => {
    expect(spans(`${E}[1;31mx${E}[my`)).toEqual([
      { text: "x", style: style({ bold: true, fg: 1 }) },
      { text: "y", style: null },
    ]);
    expect(spans(`${E}[31mx${E}[;1my`)).toEqual([
      { text: "x", style: style({ fg: 1 }) },
      { text: "y", style: style({ bold: true }) },
    ]);
  });

  it("invalid colours set nothing: components over 255, missing arguments, unknown modes", () => {
    for (const seq of ["38;2;999;0;0", "38;2;1;2", "38;5", "38;5;256", "48;2;-1;0;0", "38;7;1", "38", "38;2;1.5;0;0"]) {
      expect(spans(`${E}[${seq}mx`), seq).toEqual([{ text: "x", style: null }]);
    }
  });

  it("the style carries from one call to the next, and neighbouring spans always differ", () => {
    const first = parseAnsi(`a${E}[32mb`);
    expect(first.style).toEqual(style({ fg: 2 }));
    expect(parseAnsi("c", first.style).spans).toEqual([{ text: "c", style: style({ fg: 2 }) }]);
    expect(spans(`${E}[31ma${E}[31mb${E}[0m${E}[0mc${E}[2Kd`)).toEqual([
      { text: "ab", style: style({ fg: 1 }) },
      { text: "cd", style: null },
    ]);
  });
});

describe("ANSI: hostile and broken input renders as text, escapes dropped", () => {
  it("HTML in a log line is text", () => {
    const line = `<img src=x onerror=alert(1)></pre><script>alert(1)</script>`;
    expect(spans(`${E}[31m${line}`)).toEqual([{ text: line, style: style({ fg: 1 }) }]);
  });

  it("OSC 8 hyperlinks keep their text and drop the target (ST and BEL forms)", () => {
    expect(textOf(`${E}]8;;javascript:alert(1)${E}\\link${E}]8;;${E}\\ after`)).toBe("link after");
    expect(textOf(`${E}]8;;https://example.org\x07link${E}]8;;\x07`)).toBe("link");
    expect(textOf(`${E}]0;window title\x07text`)).toBe("text");
    expect(textOf(`${E}]8;;x\x9clink`)).toBe("link");
  });

  it("an unterminated string sequence ends at the line break, which stays", () => {
    expect(textOf(`a${E}]8;;javascript:alert(1)\nnext line`)).toBe("a\nnext line");
    expect(textOf(`a${E}Pdevice control`)).toBe("a");
  });

  it("other CSI sequences (erase, cursor, private modes) are dropped", () => {
    expect(textOf(`${E}[2K${E}[1G${E}[?25lprogress${E}[?25h ${E}[10;20H${E}[>4;2m.`)).toBe("progress .");
    expect(spans(`${E}[?1mx`)).toEqual([{ text: "x", style: null }]); // private SGR-like: not SGR
  });

  it("broken sequences are dropped up to the first character that cannot belong to them", () => {
    expect(textOf(`${E}[38;2;999;...m text`)).toBe(" text");
    expect(textOf(`ok${E}[31`)).toBe("ok");
    expect(textOf(`ok${E}`)).toBe("ok");
    expect(textOf(`${E}[31\nnext`)).toBe("\nnext");
    expect(textOf(`${E}[3éx`)).toBe("éx");
    expect(textOf(`${E}éx`)).toBe("éx");
    expect(textOf(`${E}${E}[31mx`)).toBe("x");
    expect(textOf(`${E}(B${E}7${E}8${E}=x`)).toBe("x");
  });

  it("stripAnsi drops the same escapes", () => {
    expect(stripAnsi(`${E}[1;31mERROR${E}[0m ${E}]8;;u${E}\\l${E}]8;;${E}\\`)).toBe("ERROR l");
    expect(stripAnsi("no escapes")).toBe("no escapes");
  });
});

describe("ANSI style → CSS", () => {
  it("theme colours are classes, exact colours are values, inverse swaps", () => {
    expect(ansiCss(style({ fg: 1, bg: 12, bold: true }))).toEqual({
      className: "ansi-fg-1 ansi-bg-12 ansi-bold",
      color: null,
      background: null,
    });
    expect(ansiCss(style({ fg: "#ff8700", bg: "#080808", dim: true, italic: true }))).toEqual({
      className: "ansi-dim ansi-italic",
      color: "#ff8700",
      background: "#080808",
    });
    expect(ansiCss(style({ inverse: true }))).toEqual({ className: "ansi-inv-fg ansi-inv-bg", color: null, background: null });
    expect(ansiCss(style({ inverse: true, fg: 1, underline: true, strike: true }))).toEqual({
      className: "ansi-inv-fg ansi-bg-1 ansi-underline ansi-strike",
      color: null,
      background: null,
    });
  });
});

describe("ANSI properties", () => {
  const plain = fc.string({ unit: "binary", maxLength: 30 }).map((s) => s.replaceAll(E, ""));
  const digits = fc.stringMatching(/^[0-9;:]{0,12}$/);
  const escapeSeq = fc.oneof(
    digits.map((p) => `${E}[${p}m`), // SGR, valid or not
    fc
      .tuple(fc.stringMatching(/^[\x30-\x3f]{0,6}$/), fc.stringMatching(/^[\x20-\x2f]{0,2}$/), fc.stringMatching(/^[\x40-\x7e]$/))
      .map(([p, i, f]) => `${E}[${p}${i}${f}`), // any CSI
    fc
      .tuple(
        fc.constantFrom("]", "P", "X", "^", "_"),
        fc.string({ unit: "binary", maxLength: 20 }).map((body) => body.replace(/[^ -~\u00a0-\uffff]/g, "")), // no BEL, ESC, ST or line break
        fc.constantFrom("\x07", `${E}\\`, "\x9c"),
      )
      .map(([k, body, st]) => `${E}${k}${body}${st}`), // OSC 8 and other strings
    fc
      .tuple(fc.stringMatching(/^[\x20-\x2f]{0,2}$/), fc.stringMatching(/^[\x30-\x7e]$/))
      .filter(([, f]) => !"[]PX^_".includes(f))
      .map(([i, f]) => `${E}${i}${f}`),
  );

  it("the text of the spans is the input with its escape sequences removed", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(plain, fc.array(escapeSeq, { maxLength: 3 })), { maxLength: 12 }), (pieces) => {
        const input = pieces.map(([p, escs]) => p + escs.join("")).join("");
        const expected = pieces.map(([p]) => p).join("");
        const { spans: out } = parseAnsi(input);
        expect(out.map((s) => s.text).join("")).toBe(expected);
        expect(out.every((s) => s.text.length > 0)).toBe(true);
        expect(stripAnsi(input)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("any input, however broken: no ESC survives, and stripAnsi agrees with the spans", () => {
    const noisy = fc.array(
      fc.oneof(fc.string({ unit: "binary", maxLength: 8 }), fc.constantFrom(E, `${E}[`, `${E}]`, "\x07", "m", ";", "\n")),
      {
        maxLength: 30,
      },
    );
    fc.assert(
      fc.property(noisy, (parts) => {
        const input = parts.join("");
        const text = parseAnsi(input)
          .spans.map((s) => s.text)
          .join("");
        expect(text.includes(E)).toBe(false);
        expect(text).toBe(stripAnsi(input));
      }),
      { numRuns: 500 },
    );
  });

  it("every exact colour is #rrggbb", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 1000 }), { maxLength: 8 }), fc.constantFrom("38", "48"), (nums, code) => {
        for (const mode of ["2", "5"]) {
          const s = parseAnsi(`${E}[${code};${mode};${nums.join(";")}mx`).spans[0]!.style;
          for (const c of [s?.fg, s?.bg]) if (typeof c === "string") expect(c).toMatch(/^#[0-9a-f]{6}$/);
          for (const c of [s?.fg, s?.bg]) if (typeof c === "number") expect(c >= 0 && c <= 15).toBe(true);
        }
      }),
    );
  });
});
