export * from "./protocol";
export * from "./webviewStringKeys";
export * from "./conversation";
export * from "./historyStore";
export * from "./links";
export * from "./contextBudget";
export * from "./contextSource";
