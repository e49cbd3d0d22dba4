// Whether a host is this machine: the chat's links (VS Code trusts loopback without asking;
// Hearth asks like for any other host) and the gateway's routes (only such an endpoint may
// serve the `local` route: a hearth.server.url on another host is someone else's machine).
// `*.localhost` names are not this machine here: browsers answer them with loopback, but Node
// asks the system's resolver, and a DNS server may answer anything for them.

/** True for localhost, 127.0.0.0/8, ::1 and 0.0.0.0 (which connects here); `[::1]` as URLs write it too. */
export function isLoopbackHost(hostname: string): boolean {
  let host = hostname.toLowerCase();
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "localhost") return true;
  if (host === "::1" || host === "0:0:0:0:0:0:0:1" || host === "0.0.0.0" || host === "::") return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  // IPv4-mapped IPv6 loopback, as URL normalises it (::ffff:7f00:1).
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host) || /^::ffff:127\./.test(host);
}

/** The same for a URL; false for anything unparsable. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}
