// The messages between the chat webview and the extension, as zod schemas shared by both
// sides: the extension validates what the webview posts (a compromised or buggy webview
// must not be able to make it do anything outside this list), and the webview validates
// what it receives (the webview with a hand-written guard, media/chat/guard.ts, to keep
// zod out of its bundle). It lives in src/shared, the one folder of src the webview may
// import: nothing here imports vscode, Node or the DOM (eslint.config.mjs enforces it).
import { z } from "zod";
import { WEBVIEW_STRING_KEYS, type WebviewStringKey } from "./webviewStringKeys";

const id = z.string().min(1).max(100);
/** Code blocks, messages: bounded so a runaway webview cannot make the host hold megabytes per message. */
const text = (max: number) => z.string().max(max);

export const ATTACHMENT_KINDS = ["selection", "file", "pick", "repo"] as const;

/** What the webview may ask of the extension. */
export const toHostSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("send"), text: text(100_000).min(1) }),
  /** keep: how much of the answer the person was shown when they pressed Stop; the rest is dropped. */
  z.object({ type: z.literal("stop"), keep: z.number().int().min(0).optional() }),
  z.object({ type: z.literal("newChat") }),
  z.object({ type: z.literal("openChat"), id }),
  z.object({ type: z.literal("deleteChat"), id }),
  z.object({ type: z.literal("setThinking"), on: z.boolean() }),
  z.object({ type: z.literal("copy"), code: text(1_000_000) }),
  z.object({ type: z.literal("insert"), code: text(1_000_000) }),
  z.object({ type: z.literal("apply"), code: text(1_000_000) }),
  /** text: the link's visible text, so the confirmation can say when it names another host. */
  z.object({ type: z.literal("openLink"), href: text(4096), text: text(4096).optional() }),
  z.object({ type: z.literal("openAudit"), auditId: id }),
  z.object({ type: z.literal("attach"), kind: z.enum(ATTACHMENT_KINDS) }),
  z.object({ type: z.literal("removeAttachment"), id }),
]);
export type ToHost = z.infer<typeof toHostSchema>;

export const routeMetaSchema = z.object({
  route: z.enum(["local", "selfHosted", "cloud"]),
  provider: z.string(),
  model: z.string(),
  auditId: z.string().optional(),
  fellBackBecause: z.string().optional(),
  /** Why this route, in the policy's words (e.g. which neverSend file kept it on this machine). */
  reason: z.string().optional(),
});
export type RouteMeta = z.infer<typeof routeMetaSchema>;

/**
 * What a question drew on, kept with it so that every later request of the chat is judged
 * with it (core/chat/conversationScope): the folders are named again, so the strictest of
 * their policies applies, and when the answer was made on this machine the files are named
 * as part of the prompt, so a neverSend match keeps the chat here.
 */
export const turnSourcesSchema = z.object({
  /** The folders whose policy applied (GatewayRequest.folders). */
  folders: z.array(z.string()),
  /** The files whose text went into the prompt (attachments, the explained file, neverSend files of a repo pack). */
  paths: z.array(z.string()),
  /** It drew on files it could not name (an answer made elsewhere that did not say): its answer, when made here, never leaves. */
  unnamed: z.boolean().optional(),
});
export type TurnSources = z.infer<typeof turnSourcesSchema>;

export const turnSchema = z.object({
  id,
  role: z.enum(["user", "assistant"]),
  text: z.string(),
  reasoning: z.string().optional(),
  meta: routeMetaSchema.optional(),
  /** A failure shown under the turn; the turn's partial text stays. */
  error: z.string().optional(),
  stopped: z.boolean().optional(),
  /** Labels of the attachments sent with a user turn. */
  attachments: z.array(z.string()).optional(),
  /** A user turn's: what the question drew on. Absent in chats stored before Hearth kept it: treated as unnamed. */
  sources: turnSourcesSchema.optional(),
});
export type ChatTurn = z.infer<typeof turnSchema>;

export const chatSchema = z.object({
  id,
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  thinking: z.boolean(),
  turns: z.array(turnSchema),
});
export type Chat = z.infer<typeof chatSchema>;

export const chatSummarySchema = z.object({ id, title: z.string(), updatedAt: z.number() });
export type ChatSummary = z.infer<typeof chatSummarySchema>;

export const attachmentViewSchema = z.object({
  id,
  kind: z.enum(["selection", "file", "repo"]),
  label: z.string(),
  /** undefined while counting, or for @repo (its context is chosen when the question is asked). */
  tokens: z.number().optional(),
  exact: z.boolean().optional(),
  /** Why this attachment cannot be used (e.g. no repository service wired). */
  problem: z.string().optional(),
});
export type AttachmentView = z.infer<typeof attachmentViewSchema>;


const stringsSchema = z.object(Object.fromEntries(WEBVIEW_STRING_KEYS.map((key) => [key, z.string()])) as Record<WebviewStringKey, z.ZodString>);

/** What the extension tells the webview. */
export const toWebviewSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("init"), strings: stringsSchema, language: z.string() }),
  z.object({
    type: z.literal("state"),
    chat: chatSchema,
    history: z.array(chatSummarySchema),
    attachments: z.array(attachmentViewSchema),
    busy: z.boolean(),
  }),
  z.object({ type: z.literal("delta"), turnId: id, text: z.string() }),
  z.object({ type: z.literal("reasoning"), turnId: id, text: z.string() }),
  /** A line for the status area (live region): context too large, nothing to insert into, … */
  z.object({ type: z.literal("notice"), message: z.string(), level: z.enum(["info", "error"]) }),
  z.object({ type: z.literal("focusInput") }),
]);
export type ToWebview = z.infer<typeof toWebviewSchema>;

export function parseToHost(value: unknown): ToHost | undefined {
  const parsed = toHostSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function parseToWebview(value: unknown): ToWebview | undefined {
  const parsed = toWebviewSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
