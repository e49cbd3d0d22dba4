#!/usr/bin/env bash
# Installs the VS Code that the integration tests run in: code-server@4.100.3
# (= VS Code 1.100.3, the last line that runs on Node 20) into
# <repo>/.vscode-test/code-server-4.100.3, outside the project's dependencies so
# `npm ci` for users stays light. Idempotent: a verified install is reused.
#
# Works offline from GitHub (npm registry only):
#   - @vscode/ripgrep's postinstall would download rg from GitHub; it first looks
#     for $TMPDIR/vscode-ripgrep-cache-<its version>/ripgrep-<rg release>-<target>.tar.gz,
#     so we point TMPDIR at a private folder and put an archive of the system rg there.
#   - install scripts: npm 11 checks dependencies' install scripts against an
#     allowScripts policy. code-server's own postinstall runs two nested
#     `npm install`s (lib/vscode, lib/vscode/extensions), separate projects that an
#     allowScripts field here cannot reach, and an allow-scripts value in .npmrc is
#     exported to them as npm_config_allow_scripts, which npm rejects in a
#     project-scoped install (EALLOWSCRIPTS). So this one install runs with
#     npm_config_dangerously_allow_all_scripts=true. What that allows is fixed:
#     code-server is pinned and its npm-shrinkwrap.json files pin every dependency
#     by integrity hash; the packages with install scripts are listed in
#     SCRIPTED_PACKAGES below and checked after the install.
#
# Usage: scripts/install-test-vscode.sh [--force]
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# Pinned by code-server 4.100.3's lib/vscode/npm-shrinkwrap.json and @vscode/ripgrep's lib/postinstall.js.
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_RELEASE=v13.0.0-10
# The packages with install scripts in code-server 4.100.3's shrinkwrap files (for the
# record; windows-only ones are skipped by npm): code-server@4.100.3 argon2@0.31.2
# @parcel/watcher@2.5.1 @vscode/deviceid@0.1.1 @vscode/ripgrep@1.15.11
# @vscode/spdlog@0.15.1 kerberos@2.1.1 native-watchdog@1.4.2 node-pty@1.1.0-beta33
# esbuild@0.25.0 (lib/vscode/extensions). Those VS Code needs are verified below.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${HEARTH_VSCODE_TEST_DIR:-$REPO_ROOT/.vscode-test}"
DEST="$CACHE_DIR/code-server-$CODE_SERVER_VERSION"
MARKER="$DEST/.hearth-installed"
SERVER_MAIN="node_modules/code-server/lib/vscode/out/server-main.js"

log() { printf '[install-test-vscode] %s\n' "$*"; }
die() { printf '[install-test-vscode] error: %s\n' "$*" >&2; exit 1; }

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg" ;;
  esac
done

if [[ $force -eq 0 && -f "$MARKER" && -f "$DEST/$SERVER_MAIN" ]]; then
  log "code-server $CODE_SERVER_VERSION already installed in $DEST"
  exit 0
fi

# --- prerequisites -----------------------------------------------------------
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[[ "$node_major" == "20" ]] || die "code-server $CODE_SERVER_VERSION needs Node 20; this is Node $(node --version)."

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for pkg in libkrb5-dev ripgrep chromium; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    die "missing Debian packages: ${missing[*]}. Install them with: apt-get install -y ${missing[*]}"
  fi
else
  log "not a Debian system: make sure Kerberos headers (libkrb5-dev / krb5), a C++ toolchain and Chromium are installed."
fi
for tool in make g++ python3 tar; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is needed to build code-server's native modules; install it (Debian: build-essential python3)."
done

# --- install into a staging folder, then move into place ----------------------
mkdir -p "$CACHE_DIR"
STAGE="$(mktemp -d "$CACHE_DIR/.code-server-$CODE_SERVER_VERSION.stage.XXXXXX")"
cleanup() { rm -rf "$STAGE"; }
trap cleanup EXIT

PRIVATE_TMP="$STAGE/tmp"
mkdir -p "$PRIVATE_TMP" "$STAGE/pkg"

# The ripgrep offline trick (Linux only; elsewhere the download from GitHub is used).
if [[ "$(uname -s)" == "Linux" ]] && command -v rg >/dev/null 2>&1; then
  case "$(uname -m)" in
    x86_64) rg_target=x86_64-unknown-linux-musl ;;
    aarch64|arm64) rg_target=aarch64-unknown-linux-musl ;;
    *) rg_target="" ;;
  esac
  if [[ -n "$rg_target" ]]; then
    rg_cache="$PRIVATE_TMP/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
    mkdir -p "$rg_cache/src"
    cp "$(command -v rg)" "$rg_cache/src/rg"
    chmod 755 "$rg_cache/src/rg"
    tar -czf "$rg_cache/ripgrep-$RIPGREP_RELEASE-$rg_target.tar.gz" -C "$rg_cache/src" rg
    log "using the system rg ($(command -v rg)) for @vscode/ripgrep"
  fi
fi

cat > "$STAGE/pkg/package.json" <<'JSON'
{ "name": "hearth-test-vscode", "private": true, "description": "VS Code (code-server) for Hearth's integration tests; installed by scripts/install-test-vscode.sh" }
JSON

# node-gyp builds the native modules against Node's headers; without a nodedir it
# downloads them from nodejs.org. Use the headers installed with Node when there are some.
if [[ -z "${npm_config_nodedir:-}" ]]; then
  configured_nodedir="$(npm config get nodedir 2>/dev/null || true)"
  node_prefix="$(node -p 'require("path").resolve(process.execPath, "../..")')"
  if [[ ( -z "$configured_nodedir" || "$configured_nodedir" == "undefined" ) && -f "$node_prefix/include/node/node_version.h" ]]; then
    export npm_config_nodedir="$node_prefix"
    log "building native modules against $node_prefix/include/node"
  fi
fi

log "installing code-server@$CODE_SERVER_VERSION (native modules are built; ~1 min)..."
started=$SECONDS
(
  cd "$STAGE/pkg"
  # unsafe_perm: code-server's postinstall refuses root without it.
  # yes: a nested `npx node-gyp` must not prompt.
  # dangerously_allow_all_scripts: see the header; exported to the nested installs.
  TMPDIR="$PRIVATE_TMP" \
  npm_config_dangerously_allow_all_scripts=true \
  npm_config_unsafe_perm=true \
  npm_config_yes=true \
  npm_config_fund=false \
  npm_config_audit=false \
  npm_config_update_notifier=false \
  npm install --no-save --no-package-lock --loglevel=error "code-server@$CODE_SERVER_VERSION"
) || die "npm install code-server@$CODE_SERVER_VERSION failed (see above)."
log "npm install took $((SECONDS - started)) s"

# --- verify ---------------------------------------------------------------------
cs="$STAGE/pkg/node_modules/code-server"
[[ -f "$cs/lib/vscode/out/server-main.js" ]] || die "server-main.js missing after install."
[[ -x "$cs/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ]] || die "@vscode/ripgrep's rg binary is missing: its postinstall did not run."
# Load each native module VS Code's server needs (proves its install script ran
# or a prebuilt binary for this platform was installed).
CS_VSCODE="$cs/lib/vscode" node -e '
  const { createRequire } = require("node:module");
  const req = createRequire(process.env.CS_VSCODE + "/package.json");
  for (const mod of ["kerberos", "node-pty", "@vscode/spdlog", "@parcel/watcher", "native-watchdog", "@vscode/deviceid"]) {
    try { req(mod); } catch (err) { console.error(`native module ${mod} does not load: ${err.message}`); process.exit(1); }
  }
' || die "a native module of VS Code's server is missing: its install script did not run (see above)."

rm -rf "$DEST"
mv "$STAGE/pkg" "$DEST"
rm -rf "$STAGE"

# Start the server once and fetch the workbench page.
log "verifying: starting the VS Code server..."
DEST="$DEST" SERVER_MAIN="$SERVER_MAIN" node - <<'JS' || die "the installed VS Code server did not start (see above)."
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const dest = process.env.DEST;
const srv = net.createServer();
srv.listen(0, "127.0.0.1", () => {
  const port = srv.address().port;
  srv.close(() => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-cs-verify-"));
    const child = spawn(process.execPath, [path.join(dest, process.env.SERVER_MAIN),
      "--host", "127.0.0.1", "--port", String(port), "--without-connection-token",
      "--accept-server-license-terms", "--telemetry-level", "off",
      "--server-data-dir", path.join(data, "server"), "--user-data-dir", path.join(data, "user")],
      { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const deadline = Date.now() + 60000;
    const finish = (ok, msg) => {
      child.kill("SIGTERM");
      fs.rmSync(data, { recursive: true, force: true });
      console.log(msg);
      if (!ok) console.log(out);
      process.exit(ok ? 0 : 1);
    };
    const poll = async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        const html = await res.text();
        if (res.ok && html.includes("workbench")) return finish(true, `[install-test-vscode] server answered on port ${port} with the workbench page`);
      } catch { /* not up yet */ }
      if (child.exitCode !== null) return finish(false, "server exited early");
      if (Date.now() > deadline) return finish(false, "server did not answer within 60 s");
      setTimeout(poll, 250);
    };
    poll();
  });
});
JS

date -u +%Y-%m-%dT%H:%M:%SZ > "$MARKER"
log "done: $DEST"
