// The "first hour with Hearth" walkthrough (package.json contributes.walkthroughs): opened once,
// on the first start after installing when a model still has to be set up, and from the
// Hearth view's title menu (Hearth: Set Up Hearth) whenever asked.
import * as vscode from "vscode";

/** `<publisher>.<name>#<walkthrough id>`. */
export const WALKTHROUGH_ID = "hearth.hearth#firstHour";
export const OPEN_WALKTHROUGH_COMMAND = "hearth.openWalkthrough";
const SHOWN_KEY = "hearth.walkthroughShown";

/**
 * VS Code starts its walkthrough service lazily and registers extension walkthroughs a moment
 * later, so an open right after start lands on another walkthrough. Marking our first step
 * ("What Hearth is": seen once the walkthrough is open) starts that service and fails until our
 * walkthrough is registered, which tells when it is safe to open. Bounded: ~5 s.
 */
async function whenRegistered(): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await vscode.commands.executeCommand("welcome.markStepComplete", `${WALKTHROUGH_ID}#welcome`);
      return;
    } catch (error) {
      // No such command in this editor: nothing to wait for.
      if (!/registry|not exist/i.test(error instanceof Error ? error.message : String(error))) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function openWalkthrough(): Promise<void> {
  await whenRegistered();
  await vscode.commands.executeCommand("workbench.action.openWalkthrough", WALKTHROUGH_ID, false);
}

/** Opens the walkthrough unless it was opened on this machine before; true when it opened now. */
export async function openWalkthroughOnce(globalState: vscode.Memento): Promise<boolean> {
  if (globalState.get<boolean>(SHOWN_KEY)) return false;
  await globalState.update(SHOWN_KEY, true);
  await openWalkthrough();
  return true;
}

/** Forgets that the walkthrough was shown (for tests: the next missing model opens it again). */
export async function forgetWalkthroughShown(globalState: vscode.Memento): Promise<void> {
  await globalState.update(SHOWN_KEY, undefined);
}
