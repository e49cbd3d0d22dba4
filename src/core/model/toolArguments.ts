// A tool call's arguments travel as JSON text (OpenAI's wire); Anthropic's wire and a caller
// of VS Code's language-model API want the object. One reading of that text for both.

/** The arguments' JSON object; undefined for text that is not JSON, or JSON that is not an object. */
export function toolArgumentsObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
