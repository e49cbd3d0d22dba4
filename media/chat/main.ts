// The chat webview's entry point. The chat panel itself arrives with the chat issue;
// until then the view tells the user where chat stands, without any HTML injection.
const root = document.getElementById("root");
if (root) {
  root.textContent = root.dataset.placeholder ?? "Hearth chat";
}
