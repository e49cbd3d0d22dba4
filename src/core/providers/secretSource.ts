// Where API keys come from. Only here: never settings (they sync and end up in dotfile
// repositories), never files, never environment variables the SDKs would read on their own.
// In VS Code, `context.secrets` (SecretStorage) satisfies this interface as it is.

export interface SecretSource {
  get(key: string): PromiseLike<string | undefined> | string | undefined;
}

/** SecretStorage keys. The VS Code commands that set them are named in error messages. */
export const SECRET_KEYS = {
  openai: "hearth.openai.apiKey",
  anthropic: "hearth.anthropic.apiKey",
  selfHosted: "hearth.selfHosted.apiKey",
} as const;

/** Titles of the commands that store each key, as the user sees them in the command palette. */
export const SET_KEY_COMMANDS = {
  openai: "Hearth: Set OpenAI API key",
  anthropic: "Hearth: Set Anthropic API key",
  selfHosted: "Hearth: Set Self-Hosted API key",
} as const;

/** A key, or undefined when none (or only whitespace) is stored. */
export async function readSecret(source: SecretSource, key: string): Promise<string | undefined> {
  const value = await source.get(key);
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}
