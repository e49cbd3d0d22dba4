import assert from "node:assert/strict";
import { lmMessageTexts, toChatMessages, type LmMessage } from "../../../../src/core/lm";

describe("language-model API messages in the gateway's words", () => {
  it("joins a turn's text parts, puts an assistant's calls on its turn and a user's results before its words, as tool turns", () => {
    const messages: LmMessage[] = [
      { role: "system", parts: [{ kind: "text", text: "You are terse." }] },
      { role: "user", parts: [{ kind: "text", text: "Weather in " }, { kind: "text", text: "Paris?" }] },
      {
        role: "assistant",
        parts: [
          { kind: "text", text: "Looking it up." },
          { kind: "toolCall", callId: "call_1", name: "get_weather", input: { city: "Paris" } },
          { kind: "toolCall", callId: "call_2", name: "get_time", input: undefined },
        ],
      },
      { role: "user", parts: [{ kind: "text", text: "And?" }, { kind: "toolResult", callId: "call_1", text: "Sunny" }, { kind: "toolResult", callId: "call_2", text: "noon" }] },
      { role: "user", parts: [{ kind: "toolResult", callId: "call_3", text: "only a result" }] },
    ];
    assert.deepEqual(toChatMessages(messages), [
      { role: "system", content: "You are terse." },
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: "Looking it up.",
        toolCalls: [
          { id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
          // An input that is no object is sent as no arguments.
          { id: "call_2", name: "get_time", arguments: "{}" },
        ],
      },
      { role: "tool", toolCallId: "call_1", content: "Sunny" },
      { role: "tool", toolCallId: "call_2", content: "noon" },
      { role: "user", content: "And?" },
      // A turn of results alone adds no empty user turn.
      { role: "tool", toolCallId: "call_3", content: "only a result" },
    ]);
  });

  it("keeps an empty user turn that has no results (the caller sent it)", () => {
    assert.deepEqual(toChatMessages([{ role: "user", parts: [] }]), [{ role: "user", content: "" }]);
  });

  it("counts every text a message holds: its words, a call's name and arguments, a result", () => {
    assert.deepEqual(
      lmMessageTexts({ role: "assistant", parts: [{ kind: "text", text: "a" }, { kind: "toolCall", callId: "c", name: "f", input: { x: 1 } }, { kind: "toolResult", callId: "c", text: "r" }] }),
      ["a", 'f{"x":1}', "r"],
    );
  });
});
