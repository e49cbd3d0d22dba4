// hearth.translate.defaultLanguage and the remembered choices (recent instructions and
// languages) kept in globalState, so pick lists open with what the user chose last.
import type * as vscode from "vscode";
import { languagePickOrder, remember, type NaturalLanguage } from "../../core/edit/languages";
import { defaultTranslationLanguage } from "../config";

const RECENT_INSTRUCTIONS = "hearth.edit.recentInstructions";
const RECENT_LANGUAGES = "hearth.edit.recentLanguages";
const RECENT_CODE_LANGUAGES = "hearth.edit.recentCodeLanguages";
const KEEP = 5;

export class EditMemory {
  constructor(private readonly state: vscode.Memento) {}

  get instructions(): string[] {
    return this.list(RECENT_INSTRUCTIONS);
  }

  get languages(): string[] {
    return this.list(RECENT_LANGUAGES);
  }

  get codeLanguages(): string[] {
    return this.list(RECENT_CODE_LANGUAGES);
  }

  async useInstruction(instruction: string): Promise<void> {
    await this.state.update(RECENT_INSTRUCTIONS, remember(this.instructions, instruction, KEEP));
  }

  async useLanguage(tag: string): Promise<void> {
    await this.state.update(RECENT_LANGUAGES, remember(this.languages, tag, KEEP));
  }

  async useCodeLanguage(languageId: string): Promise<void> {
    await this.state.update(RECENT_CODE_LANGUAGES, remember(this.codeLanguages, languageId, KEEP));
  }

  private list(key: string): string[] {
    const value = this.state.get<unknown>(key);
    return Array.isArray(value) ? value.filter((x): x is string => typeof x === "string") : [];
  }
}

export function translationPickOrder(memory: EditMemory): NaturalLanguage[] {
  return languagePickOrder(defaultTranslationLanguage()?.tag, memory.languages);
}
