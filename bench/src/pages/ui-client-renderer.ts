// The whole live path as the dashboard runs it: the client's reconnecting stream decoding frames into typed
// events, and the UI's renderer drawing them.
import { DashboardClient } from "../../../packages/client/src/index";
import { createStreamRenderer } from "../../../packages/ui-vanilla/src/render/stream-renderer";
import { eventCounter, expectedEvents, startMeasuring, streamUrl } from "./harness";

const renderer = createStreamRenderer(document.getElementById("root") as HTMLElement, { format: "plain" });
(globalThis as { __benchCheck?: () => unknown }).__benchCheck = () => ({ ...renderer.stats(), tail: renderer.text().slice(-200) });

// The client builds `/dashboard/stream?token=…` itself; the blast server then sends its default N.
const client = new DashboardClient({ baseUrl: `http://${new URL(streamUrl()).host}`, token: "bench" });
const measuring = startMeasuring("ui-client+renderer");
const stream = client.stream();
const count = eventCounter(expectedEvents(), (events) => {
  void measuring.finish(events).then(() => stream.close());
});
stream.on("text_delta", (event) => {
  renderer.append(event.data);
  count();
});
stream.on("tool_activity", (event) => {
  renderer.tool(event.data);
  count();
});
