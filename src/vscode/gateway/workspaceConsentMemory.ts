// "Always for this workspace", remembered in the workspace's own storage (context.workspaceState):
// it lives outside the repository, so a checked-in file cannot pretend the user agreed.
import type * as vscode from "vscode";
import type { ConsentMemory } from "../../core/gateway";

export class WorkspaceConsentMemory implements ConsentMemory {
  constructor(private readonly state: vscode.Memento) {}

  isRemembered(key: string): boolean {
    return this.state.get<boolean>(key) === true;
  }

  async remember(key: string): Promise<void> {
    await this.state.update(key, true);
  }
}
