// What of a neverSend file is looked for elsewhere: a program's source (a `.py` or `.go` file
// reached through a folder pattern or a name) gives its text and the lines that set a
// secret-named variable, not its ordinary lines; no file gives a banner of punctuation or a PEM
// armour line, which any other file may hold too.
import assert from "node:assert/strict";
import { neverSendText } from "../../../../src/core/policy";

const values = (content: string, path?: string): string[] => neverSendText(content, path === undefined ? {} : { path }).map((s) => s.value);

const PYTHON = `# Copyright 2017 The Kubernetes Authors.
from __future__ import annotations
import logging
logger = logging.getLogger(__name__)

DB_PASSWORD = "correcthorsebattery"

class Cache:
    def __init__(self) -> None:
        super().__init__()
`;

const GO = `/*
Copyright 2017 The Kubernetes Authors.
Licensed under the Apache License, Version 2.0 (the "License");
*/
package kubeconfig

import (
	"k8s.io/client-go/tools/clientcmd"
)

const apiToken = "Xy7kPq2mZ9vBn4Lw"
`;

describe("neverSend text", () => {
  it("keeps no ordinary line of a program's source, only its text and what sets a secret", () => {
    const py = values(PYTHON, "/ws/secrets/helper.py");
    assert.ok(py.includes(PYTHON.trim()), "the whole text");
    assert.ok(py.includes('DB_PASSWORD = "correcthorsebattery"'), JSON.stringify(py));
    for (const line of ["from __future__ import annotations", "logger = logging.getLogger(__name__)", "def __init__(self) -> None:", "super().__init__()", "# Copyright 2017 The Kubernetes Authors."]) {
      assert.ok(!py.includes(line), line);
    }
    const go = values(GO, "C:\\ws\\vault\\kubeconfig.GO");
    assert.ok(go.includes("Xy7kPq2mZ9vBn4Lw"), JSON.stringify(go));
    assert.ok(go.includes('const apiToken = "Xy7kPq2mZ9vBn4Lw"'), JSON.stringify(go));
    for (const line of ["Copyright 2017 The Kubernetes Authors.", '"k8s.io/client-go/tools/clientcmd"', 'Licensed under the Apache License, Version 2.0 (the "License");']) {
      assert.ok(!go.includes(line), line);
    }
  });

  it("keeps a configuration file's lines, less banners and PEM armour", () => {
    const env = `${"#".repeat(80)}\n# Production database, ask ops\n${"=".repeat(40)}\nDATABASE_URL=postgres://app:hunter2@db.internal:5432/prod\n`;
    const found = values(env, "/ws/.env");
    assert.ok(found.includes("DATABASE_URL=postgres://app:hunter2@db.internal:5432/prod"));
    assert.ok(found.includes("# Production database, ask ops"));
    assert.ok(!found.includes("#".repeat(80)) && !found.includes("=".repeat(40)), JSON.stringify(found));
    // The same without a path: a file the gateway leaves out of a request.
    assert.ok(values(env).includes("DATABASE_URL=postgres://app:hunter2@db.internal:5432/prod"));
    assert.ok(!values(env).includes("#".repeat(80)));

    const key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n";
    const pem = values(key, "/ws/certs/server.pem");
    assert.ok(pem.includes("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"));
    assert.ok(!pem.includes("-----BEGIN PRIVATE KEY-----") && !pem.includes("-----END PRIVATE KEY-----"), JSON.stringify(pem));
  });
});
