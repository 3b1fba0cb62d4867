/** Streamed markdown → DOM, for the stream renderer's text (see writer.ts). */
export { createMarkdownWriter, type MarkdownSink, type MarkdownWriter } from "./writer.js";
