// Placeholder entry so the build graph is complete; replaced by the model server.
process.stdout.write(JSON.stringify({ event: "error", message: "server not built yet" }) + "\n");
