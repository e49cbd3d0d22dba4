// How the runner opens the workbench with Hearth under development and the tests entry:
// through VS Code's embedder API, IWorkbenchConstructionOptions.developmentOptions
// (`extensions`, `extensionTestsPath`), as @vscode/test-web does. The runner serves the
// VS Code server's workbench page with those options added to its configuration.
//
// Not the URL's `payload` (extensionDevelopmentPath / extensionTestsPath): a built workbench
// newer than 1.100 reads it only with the server's --enable-smoke-test-driver, which also
// stops notification toasts, and the payload holds one extensionDevelopmentPath (it is read
// into a Map). developmentOptions works the same in 1.100 and 1.139 and takes several.
import type { Page, Route } from "playwright-core";

export interface DevelopmentOptions {
  /** Folders on the server (remote paths) loaded as extensions under development. */
  extensions: readonly string[];
  /** The tests entry on the server. */
  extensionTestsPath: string;
}

const CONFIG_META = /(<meta\s+id="vscode-workbench-web-configuration"\s+data-settings=")([^"]*)(")/;

function unescapeAttribute(text: string): string {
  return text.replace(/&(quot|amp|lt|gt|apos|#39|#x27);/g, (_, entity: string) => ({ quot: '"', amp: "&", lt: "<", gt: ">", apos: "'", "#39": "'", "#x27": "'" })[entity] ?? "");
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The workbench page with `dev` in its configuration's developmentOptions; throws when the page has no configuration. */
export function withDevelopmentOptions(html: string, authority: string, dev: DevelopmentOptions): string {
  const match = CONFIG_META.exec(html);
  if (!match) throw new Error("the workbench page has no vscode-workbench-web-configuration element");
  const config = JSON.parse(unescapeAttribute(match[2])) as { developmentOptions?: Record<string, unknown> };
  const remote = (path: string) => ({ scheme: "vscode-remote", authority, path });
  config.developmentOptions = {
    ...config.developmentOptions,
    extensions: dev.extensions.map(remote),
    extensionTestsPath: remote(dev.extensionTestsPath),
  };
  return html.replace(CONFIG_META, (_, start: string, _old: string, end: string) => `${start}${escapeAttribute(JSON.stringify(config))}${end}`);
}

/**
 * Serves the workbench page at `origin`/ with `dev` added. `failed` resolves with the reason
 * when the page could not be prepared (the pass should stop), and never otherwise.
 */
export async function routeWorkbenchPage(page: Page, origin: string, authority: string, dev: DevelopmentOptions): Promise<{ failed: Promise<string> }> {
  let failed!: (why: string) => void;
  const failure = new Promise<string>((resolve) => (failed = resolve));
  await page.route(
    (url) => url.origin === origin && url.pathname === "/",
    async (route: Route) => {
      if (!route.request().isNavigationRequest()) return route.continue();
      try {
        const response = await route.fetch();
        const body = withDevelopmentOptions(await response.text(), authority, dev);
        // The text came back decoded: drop the length and encoding of the original.
        const headers = Object.fromEntries(Object.entries(response.headers()).filter(([name]) => !/^content-(length|encoding)$/i.test(name)));
        await route.fulfill({ status: response.status(), headers, body });
      } catch (err) {
        failed(`could not open the workbench with Hearth under development: ${err instanceof Error ? err.message : String(err)}`);
        await route.abort().catch(() => undefined);
      }
    },
  );
  return { failed: failure };
}
