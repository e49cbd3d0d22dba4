// The chat's messages and strings live in src/shared, which the webview imports too; the
// extension side reaches them through here with the rest of the chat.
export * from "../../shared/chatProtocol";
export * from "../../shared/webviewStringKeys";
export * from "./conversation";
export * from "./conversationScope";
export * from "./historyStore";
export * from "./links";
export * from "./contextSource";
export * from "./attachments";
export * from "./chatPrompt";
export * from "./chatSession";
export * from "./chatTexts";
