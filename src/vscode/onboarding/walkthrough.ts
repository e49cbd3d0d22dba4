// The "first hour with Hearth" walkthrough (package.json contributes.walkthroughs): opened once,
// on the first start after installing when a model still has to be set up, and from the
// Hearth view's title menu (Hearth: Set Up Hearth) whenever asked.
import * as vscode from "vscode";

/** `<publisher>.<name>#<walkthrough id>`. */
export const WALKTHROUGH_ID = "hearth.hearth#firstHour";
export const OPEN_WALKTHROUGH_COMMAND = "hearth.openWalkthrough";
const SHOWN_KEY = "hearth.walkthroughShown";

export async function openWalkthrough(): Promise<void> {
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
