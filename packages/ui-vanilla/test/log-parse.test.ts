import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stripAnsi } from "../src/views/logs/ansi.js";
import { levelShown, parseLog, parseLogLine, runText, type LevelFilter, type LogLevel, type LogRun } from "../src/views/logs/log-parse.js";

const E = "\x1b";
const fixtures = fileURLToPath(new URL("../../mock-server/recordings/coding-session/logs/", import.meta.url));

// protocol.md §5's example.
const EXAMPLE = `2026-04-21 12:00:00 [INFO] ductor_bot.logging_config:logging_config.py:135: Logging initialized (level=INFO)
2026-04-21 12:00:03 [INFO] ductor_bot.api.server:server.py:262: API server listening on 0.0.0.0:8741
2026-04-21 12:05:10 [INFO] ductor_bot.api.server:server.py:453: [main:api:123456789] API client authenticated key=tg:123456789 (E2E)
2026-04-21 12:05:42 [ERROR] ductor_bot.api.server:server.py:622: [main:api:123456789:3f0c9a4e] API dispatch error key=tg:123456789
Traceback (most recent call last):
  File "...", line 612, in _execute_streaming
RuntimeError: boom
`;

const summary = (runs: LogRun[]) => runs.map((r) => ({ level: r.level, entries: r.entries, text: runText(r) }));

describe("log lines (protocol.md §5)", () => {
  it("an agent.log line: time, level, logger, file, line, context and message", () => {
    expect(
      parseLogLine(
        "2026-04-21 12:05:42 [ERROR] ductor_bot.api.server:server.py:622: [main:api:123456789:3f0c9a4e] API dispatch error key=tg:123456789",
      ),
    ).toEqual({
      time: "2026-04-21 12:05:42",
      level: "ERROR",
      logger: "ductor_bot.api.server",
      file: "server.py",
      lineNo: 622,
      context: "main:api:123456789:3f0c9a4e",
      message: "API dispatch error key=tg:123456789",
    });
  });

  it("without a context; every level", () => {
    for (const level of ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]) {
      expect(parseLogLine(`2026-04-21 12:00:00 [${level}] a.b:c.py:1: hello: world`)).toMatchObject({
        level,
        context: null,
        message: "hello: world",
      });
    }
  });

  it("the console format of service.log / service.err", () => {
    expect(parseLogLine("09:00:02 WARNING  ductor_bot.api.server: API server: Tailscale NOT detected.")).toEqual({
      time: "09:00:02",
      level: "WARNING",
      logger: "ductor_bot.api.server",
      file: null,
      lineNo: null,
      context: null,
      message: "API server: Tailscale NOT detected.",
    });
    expect(parseLogLine("09:00:02 CRITICAL ductor_bot.main: down")).toMatchObject({ level: "CRITICAL", message: "down" });
  });

  it("continuation lines and other text are not first lines", () => {
    for (const line of [
      "Traceback (most recent call last):",
      '  File "...", line 612, in _execute_streaming',
      "RuntimeError: boom",
      "",
      "2026-04-21 12:00:00 [TRACE] a:b.py:1: not a level",
      "2026-04-21 12:00:00 [info] a:b.py:1: lower case",
      "2026-04-21 12:00:00 INFO a:b.py:1: no brackets",
      " 2026-04-21 12:00:00 [INFO] a:b.py:1: indented",
    ]) {
      expect(parseLogLine(line), line).toBeNull();
    }
  });

  it("a CRLF line, a message with any characters, and colour escapes around the level", () => {
    expect(parseLogLine("2026-04-21 12:00:00 [INFO] a:b.py:1: crlf\r")).toMatchObject({ message: "crlf" });
    expect(parseLogLine("2026-04-21 12:00:00 [INFO] a:b.py:1: sep\u2028arator")).toMatchObject({ message: "sep\u2028arator" });
    expect(parseLogLine(`${E}[31m09:14:55 ERROR    x.y: ${E}[1mboom${E}[0m`)).toMatchObject({
      level: "ERROR",
      logger: "x.y",
      message: "boom",
    });
    expect(parseLogLine(`2026-04-21 12:00:00 [${E}[33mWARNING${E}[0m] a:b.py:1: hi`)).toMatchObject({ level: "WARNING" });
  });

  it("a message that starts with [...] without a context is read as a context (the protocol's known ambiguity)", () => {
    expect(parseLogLine("2026-04-21 12:00:00 [INFO] a:b.py:1: [x] y")).toMatchObject({ context: "x", message: "y" });
  });
});

describe("entries and runs", () => {
  it("the protocol's example: the traceback belongs to its ERROR entry", () => {
    const p = parseLog(EXAMPLE);
    const lines = EXAMPLE.split("\n");
    expect(summary(p.runs)).toEqual([
      { level: "INFO", entries: 3, text: `${lines.slice(0, 3).join("\n")}\n` },
      { level: "ERROR", entries: 1, text: `${lines.slice(3, 7).join("\n")}\n` },
    ]);
    expect(p).toMatchObject({ leadChars: 0, leadRuns: 0, tailChars: 0, state: { level: "ERROR", style: null } });
  });

  it("lines before the first entry have no level (their entry began earlier): the lead", () => {
    const text = `  File "x.py", line 1, in f\nValueError: cut off\n2026-04-21 12:00:00 [DEBUG] a:b.py:1: next\n`;
    const p = parseLog(text);
    expect(summary(p.runs)).toEqual([
      { level: null, entries: 0, text: `  File "x.py", line 1, in f\nValueError: cut off\n` },
      { level: "DEBUG", entries: 1, text: "2026-04-21 12:00:00 [DEBUG] a:b.py:1: next\n" },
    ]);
    expect(p.leadChars).toBe(text.indexOf("2026"));
    expect(p.leadRuns).toBe(1);
  });

  it("a file without any entry is all lead, of no level", () => {
    const p = parseLog("the other file\nsecond line\n");
    expect(summary(p.runs)).toEqual([{ level: null, entries: 0, text: "the other file\nsecond line\n" }]);
    expect(p).toMatchObject({ leadChars: 27, leadRuns: 1 });
  });

  it("continuation lines take the level of the entry in progress from the state", () => {
    const p = parseLog("  more traceback\nRuntimeError: boom\n", { level: "CRITICAL", style: null });
    expect(summary(p.runs)).toEqual([{ level: "CRITICAL", entries: 0, text: "  more traceback\nRuntimeError: boom\n" }]);
    expect(p.leadChars).toBe(0);
  });

  it("an unfinished last line is alone in the last run, with the state it began in", () => {
    const text = "2026-04-21 12:00:00 [WARNING] a:b.py:1: one\n2026-04-21 12:00:01 [WARNING] a:b.py:1: unfini";
    const p = parseLog(text);
    expect(p.runs.map(runText)).toEqual([
      "2026-04-21 12:00:00 [WARNING] a:b.py:1: one\n",
      "2026-04-21 12:00:01 [WARNING] a:b.py:1: unfini",
    ]);
    expect(p.tailChars).toBe(text.length - text.indexOf("\n") - 1);
    expect(p.tailState).toEqual({ level: "WARNING", style: null });
    // A first line cut before its level is a continuation line for now.
    const cut = parseLog("2026-04-21 12:00:00 [INFO] a:b.py:1: x\n2026-04-21 12:00:01 [ERR");
    expect(cut.runs.map((r) => r.level)).toEqual(["INFO", "INFO"]);
    expect(cut.tailState.level).toBe("INFO");
  });

  it("consecutive entries of one level share a run; a level change starts one", () => {
    const levels: LogLevel[] = ["INFO", "INFO", "DEBUG", "WARNING", "WARNING", "INFO"];
    const text = levels.map((l, i) => `2026-04-21 12:00:0${i} [${l}] a:b.py:1: m${i}\n`).join("");
    expect(parseLog(text).runs.map((r) => [r.level, r.entries])).toEqual([
      ["INFO", 2],
      ["DEBUG", 1],
      ["WARNING", 2],
      ["INFO", 1],
    ]);
  });

  it("colours become spans; an entry's colours end with it", () => {
    const text = `2026-04-21 12:00:00 [INFO] a:b.py:1: ${E}[31mred\nstill red${E}[0m plain\n2026-04-21 12:00:01 [INFO] a:b.py:1: ${E}[32mgreen\n2026-04-21 12:00:02 [INFO] a:b.py:1: default\n`;
    const [run] = parseLog(text).runs;
    expect(run!.parts).toEqual([
      "2026-04-21 12:00:00 [INFO] a:b.py:1: ",
      { text: "red\nstill red", style: expect.objectContaining({ fg: 1 }) },
      " plain\n2026-04-21 12:00:01 [INFO] a:b.py:1: ",
      { text: "green\n", style: expect.objectContaining({ fg: 2 }) },
      "2026-04-21 12:00:02 [INFO] a:b.py:1: default\n",
    ]);
  });

  it("the fixtures: the text of the runs is the file without escapes; service.err's colour is a span", () => {
    for (const file of ["agent.log", "agent.log.1", "service.err"]) {
      const text = readFileSync(`${fixtures}${file}`, "utf8");
      const p = parseLog(text);
      expect(p.runs.map(runText).join(""), file).toBe(stripAnsi(text));
      expect(p.leadChars, file).toBe(0);
    }
    const err = parseLog(readFileSync(`${fixtures}service.err`, "utf8"));
    expect(err.runs.map((r) => [r.level, r.entries])).toEqual([
      ["INFO", 1],
      ["WARNING", 1],
      ["ERROR", 2],
    ]);
    expect(err.runs[2]!.parts).toContainEqual({ text: "Error:", style: expect.objectContaining({ fg: 1 }) });
    const agent = parseLog(readFileSync(`${fixtures}agent.log`, "utf8"));
    const error = agent.runs.find((r) => r.level === "ERROR")!;
    expect(runText(error)).toMatch(
      /API dispatch error[\s\S]*Traceback[\s\S]*CLIError: claude exited with 1: Error: session 3f0c9a4e not found\n$/,
    );
  });
});

describe("level filter", () => {
  it("hides levels below the chosen one; lines of an unknown entry only show with all", () => {
    const table: Record<LevelFilter, Array<LogLevel | null>> = {
      all: [null, "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
      info: ["INFO", "WARNING", "ERROR", "CRITICAL"],
      warning: ["WARNING", "ERROR", "CRITICAL"],
      error: ["ERROR", "CRITICAL"],
    };
    for (const [filter, shown] of Object.entries(table) as [LevelFilter, Array<LogLevel | null>][]) {
      for (const level of [null, "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] as const) {
        expect(levelShown(level, filter), `${filter} ${level}`).toBe(shown.includes(level));
      }
    }
  });
});
