export * from "./protocol";
export * from "./conversation";
export * from "./historyStore";
export * from "./links";
export * from "./contextBudget";
export * from "./contextSource";
