// The webview's own strings, resolved here with vscode.l10n.t so the panel follows VS
// Code's display language (the webview cannot call vscode.l10n itself).
import * as vscode from "vscode";
import { WEBVIEW_STRING_KEYS, WEBVIEW_STRINGS_EN, type WebviewStrings } from "../../core/chat";

export function webviewStrings(): WebviewStrings {
  return Object.fromEntries(WEBVIEW_STRING_KEYS.map((key) => [key, vscode.l10n.t(WEBVIEW_STRINGS_EN[key])])) as WebviewStrings;
}
