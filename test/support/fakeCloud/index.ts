// Loopback stand-ins for the clouds: the real SDKs talk to them through `baseURL`, and
// every payload they receive is recorded for the tests to inspect.
import { createServer } from "node:net";

export { FakeCloudServer, type RecordedRequest, type StreamFrames } from "./fakeCloudServer";
export { FakeOpenAi } from "./fakeOpenAi";
export { FakeAnthropic } from "./fakeAnthropic";
export { faults, type Fault } from "./faults";

/** A loopback URL where nothing listens (connection refused): a server that is down. */
export async function closedPortUrl(path = "/v1"): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}
