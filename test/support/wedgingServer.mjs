// A stand-in for dist/server.mjs that the supervisor can start like the real one, used to
// test what the supervisor does when a server stops answering but does not exit. Its
// behaviour comes from the JSON file passed as --model:
//   { "events": "<file>", "ignoreSigterm": true|false }
// At start it appends a line `{"pid", "othersAlive": [...]}` to `events`, naming the
// earlier servers of that file that are still alive (not zombies) at that moment; then it
// prints the ready line and answers /health and /hearth/lease. On SIGUSR2 it wedges: every
// request from then on is held open and never answered, and the process stays alive; it
// then creates `<events>.wedged-<pid>`.
import { appendFileSync, readFileSync } from "node:fs";
import { createServer } from "node:http";

const argv = process.argv.slice(2);
const modelPath = argv[argv.indexOf("--model") + 1];
const config = JSON.parse(readFileSync(modelPath, "utf8"));
const token = process.env.HEARTH_SERVER_TOKEN ?? "";

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

const earlier = readFileSync(config.events, { encoding: "utf8", flag: "a+" })
  .split("\n")
  .filter((line) => line !== "")
  .map((line) => JSON.parse(line).pid);
appendFileSync(config.events, `${JSON.stringify({ pid: process.pid, othersAlive: earlier.filter(alive) })}\n`);

let wedged = false;
process.on("SIGUSR2", () => {
  wedged = true;
  // Said on disk, so a test sends its request only once the server really stopped answering.
  appendFileSync(`${config.events}.wedged-${process.pid}`, "");
});
if (config.ignoreSigterm) process.on("SIGTERM", () => undefined);

const server = createServer((req, res) => {
  if (wedged) return; // Held open, never answered.
  if (req.headers.authorization !== `Bearer ${token}`) {
    res.writeHead(401).end();
    return;
  }
  const url = new URL(req.url ?? "/", "http://x");
  // The answers' shapes are the real server's (src/core/wire/hearthProtocol.ts): the supervisor checks them.
  if (url.pathname === "/health") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", pid: process.pid }));
    return;
  }
  if (url.pathname === "/hearth/lease") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, leases: 1 }));
    return;
  }
  res.writeHead(404).end();
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  process.stdout.write(
    `${JSON.stringify({ event: "ready", port, host: "127.0.0.1", pid: process.pid, model: "wedging", contextSize: 1024, architecture: "fake", fim: false, hybrid: false })}\n`,
  );
});
