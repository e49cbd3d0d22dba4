// Builds the model call for a chosen route. On this machine the prompt goes as written,
// with every context file. Anywhere else, files matched by neverSend are left out (and
// named), and, unless the effective policy turned redaction off, every text that leaves
// (messages, raw prompt, each file with its name as a hint) goes through the redactor first.
import type { NeverSendMatcher } from "../policy";
import type { HearthRole, ModelCall } from "../providers";
import { renderContextBlock, withContext } from "./contextFiles";
import type { ContextFile, GatewayRequest, SentFile } from "./gatewayTypes";

export type Redactor = (text: string, fileName?: string) => Promise<{ readonly text: string; readonly count: number }>;

export interface PayloadInput {
  readonly request: GatewayRequest;
  /** The route is not this machine. */
  readonly leaving: boolean;
  readonly redactSecrets: boolean;
  readonly neverSend: NeverSendMatcher;
  /** Files whose content is already in the prompt (see embeddedFiles). */
  readonly embedded: ReadonlySet<ContextFile>;
  readonly redactor: Redactor;
  readonly hearthRole: HearthRole;
  /** The cloud model id; undefined for local and self-hosted, whose providers know their model. */
  readonly model?: string;
}

export interface OutgoingPayload {
  readonly call: ModelCall;
  readonly files: readonly SentFile[];
  readonly dropped: readonly string[];
  readonly redactions: number;
}

export async function buildOutgoingPayload(input: PayloadInput): Promise<OutgoingPayload> {
  const { request, leaving } = input;
  const files = request.files ?? [];
  const dropped = leaving ? files.filter((f) => !input.embedded.has(f) && input.neverSend.matches(f.path)) : [];
  const kept = files.filter((f) => !dropped.includes(f));
  const redacting = leaving && input.redactSecrets;
  let redactions = 0;
  const clean = async (text: string, fileName?: string): Promise<string> => {
    if (!redacting || text === "") return text;
    const result = await input.redactor(text, fileName);
    redactions += result.count;
    return result.text;
  };
  // With one embedded file (the file being completed or edited), its name tells the redactor how to read the prompt.
  const embeddedKept = kept.filter((f) => input.embedded.has(f));
  const promptHint = embeddedKept.length === 1 ? embeddedKept[0].path : undefined;

  const added: { path: string; content: string }[] = [];
  const sent: SentFile[] = [];
  for (const file of kept) {
    if (input.embedded.has(file)) {
      sent.push({ path: file.path, origin: file.origin, bytes: Buffer.byteLength(file.content, "utf8") });
      continue;
    }
    const content = await clean(file.content, file.path);
    added.push({ path: file.path, content });
    sent.push({ path: file.path, origin: file.origin, bytes: Buffer.byteLength(content, "utf8") });
  }

  const common = {
    ...(input.model !== undefined ? { model: input.model } : {}),
    ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.stop !== undefined ? { stop: request.stop } : {}),
    ...(request.thinking !== undefined ? { thinking: request.thinking } : {}),
  };
  let call: ModelCall;
  if (request.messages !== undefined) {
    const messages = [];
    for (const m of request.messages) messages.push({ role: m.role, content: await clean(m.content, promptHint) });
    call = { kind: "chat", messages: withContext(messages, renderContextBlock(added)), ...common, hearth: { role: input.hearthRole } };
  } else {
    const prompt = request.prompt ?? { text: "" };
    call = {
      kind: "text",
      prompt: await clean(prompt.text, promptHint),
      ...(prompt.suffix !== undefined ? { suffix: await clean(prompt.suffix, promptHint) } : {}),
      ...common,
      hearth: { role: input.hearthRole, ...(prompt.checkpoints !== undefined ? { checkpoints: prompt.checkpoints } : {}), ...(prompt.reuse !== undefined ? { reuse: prompt.reuse } : {}) },
    };
  }
  return { call, files: sent, dropped: dropped.map((f) => f.path), redactions };
}
