// Which links from model output the panel may follow (see linkTarget.ts, which the webview
// bundles too), and the extension's own check that a resolved file lies in the workspace.
import * as path from "node:path";

export * from "../../shared/linkTarget";
export * from "../../shared/invisible";

/** Whether `absolute` lies inside `root` (both absolute, same platform). */
export function isInside(root: string, absolute: string): boolean {
  const relative = path.relative(root, absolute);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}
