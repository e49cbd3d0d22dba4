// The questions an edit command asks before it starts: Refactor's instruction (presets and
// the last few used), the target natural language, the target programming language.
import * as vscode from "vscode";
import { REFACTOR_PRESETS } from "../../core/edit/editKinds";
import { CODE_LANGUAGES, codeLanguage, type CodeLanguage, type NaturalLanguage } from "../../core/edit/languages";
import { translationPickOrder, type EditMemory } from "./editSettings";

/** Refactor's instruction: typed freely, or picked from the recent ones and the presets. */
export async function askInstruction(memory: EditMemory): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  pick.title = vscode.l10n.t("Hearth: Refactor");
  pick.placeholder = vscode.l10n.t("Describe the change, or pick one");
  pick.ignoreFocusOut = true;
  const recent = memory.instructions;
  const items: vscode.QuickPickItem[] = [];
  if (recent.length > 0) items.push({ label: vscode.l10n.t("Recent"), kind: vscode.QuickPickItemKind.Separator }, ...recent.map((label) => ({ label })));
  items.push({ label: vscode.l10n.t("Presets"), kind: vscode.QuickPickItemKind.Separator }, ...REFACTOR_PRESETS.filter((p) => !recent.includes(p)).map((label) => ({ label })));
  pick.items = items;
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: string | undefined): void => {
      if (done) return;
      done = true;
      resolve(value?.trim() ? value.trim() : undefined);
      pick.dispose();
    };
    pick.onDidAccept(() => finish(pick.selectedItems[0]?.label ?? pick.value));
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}

export async function askNaturalLanguage(memory: EditMemory, title: string): Promise<NaturalLanguage | undefined> {
  const languages = translationPickOrder(memory);
  const chosen = await vscode.window.showQuickPick(
    languages.map((language) => ({ label: language.native, description: language.native === language.english ? language.tag : `${language.english} · ${language.tag}`, language })),
    { title, placeHolder: vscode.l10n.t("Translate into…"), ignoreFocusOut: true },
  );
  return chosen?.language;
}

export async function askCodeLanguage(memory: EditMemory, fromLanguageId: string): Promise<CodeLanguage | undefined> {
  const recent = memory.codeLanguages.map((id) => codeLanguage(id)).filter((l): l is CodeLanguage => l !== undefined);
  const ordered = [...recent, ...CODE_LANGUAGES.filter((l) => !recent.includes(l))].filter((l) => l.languageId !== fromLanguageId);
  const chosen = await vscode.window.showQuickPick(
    ordered.map((language) => ({ label: language.name, language })),
    { title: vscode.l10n.t("Hearth: Translate Code To…"), placeHolder: vscode.l10n.t("Target language"), ignoreFocusOut: true },
  );
  return chosen?.language;
}
