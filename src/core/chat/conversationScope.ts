// What a conversation has drawn on so far, so that a later question is judged with all of
// it and not only with its own attachments: an answer made on this machine from a neverSend
// file carries that file's text into every later prompt (the model quotes what it read).
//   - Every folder an earlier question named is named again: the strictest of their policies
//     applies, so folder A's history does not leave under folder B's (or the user's) policy.
//   - The files behind answers made on this machine are named as part of the prompt
//     (PlanRequest.embeddedPaths): the gateway judges them against the policy of now, and a
//     neverSend match keeps the request on this machine (or refuses it), as for a file being
//     edited. The chat stays local rather than going on without those turns: an answer from
//     a model that never saw half the conversation is the more surprising outcome.
//   - An answer made here from files nobody named (a chat stored before Hearth kept its
//     sources, an answer made elsewhere that did not say) cannot be judged, so it is left out
//     of later requests that may leave this machine: one planned elsewhere, and one planned
//     here where the policy lets the gateway fall back elsewhere when the local model fails
//     (it falls back with the prompt as built, and only named files keep it here then). A
//     request that cannot leave (the default: chat stays here) keeps the whole conversation,
//     and its question is kept as unnamed too: its answer may quote what those answers carried.
// An answer made elsewhere carries no neverSend text: the gateway left those files out of its prompt.
import type { ChatTurn } from "../../shared/chatProtocol";

export interface ConversationScope {
  /** The folders earlier questions named (GatewayRequest.folders). */
  readonly folders: readonly string[];
  /** The files whose text reached an answer made on this machine (PlanRequest.embeddedPaths). */
  readonly localPaths: readonly string[];
  /** Ids of the questions answered here from files that were not named: they and their answers stay out of later requests that may leave. */
  readonly unnamed: ReadonlySet<string>;
}

export function conversationScope(turns: readonly ChatTurn[]): ConversationScope {
  const folders = new Set<string>();
  const localPaths = new Set<string>();
  const unnamed = new Set<string>();
  turns.forEach((turn, index) => {
    if (turn.role !== "user") return;
    const { sources } = turn;
    for (const folder of sources?.folders ?? []) folders.add(folder);
    const next = turns[index + 1];
    const answer = next?.role === "assistant" ? next : undefined;
    // An answer with no text is left out of the conversation (toGatewayMessages): nothing of it goes anywhere.
    if (answer === undefined || answer.text.trim() === "") return;
    // A failed or stopped answer has no route on record: it may have been made here.
    const madeHere = answer.meta === undefined || answer.meta.route === "local";
    if (!madeHere) return;
    if (sources === undefined || sources.unnamed === true) unnamed.add(turn.id);
    for (const path of sources?.paths ?? []) localPaths.add(path);
  });
  return { folders: [...folders], localPaths: [...localPaths], unnamed };
}

/** The folders of the conversation and of the new question together, without repeats. */
export function withFolders(scope: ConversationScope, folders: readonly string[]): string[] {
  return [...new Set([...scope.folders, ...folders])];
}
