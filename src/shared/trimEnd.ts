// Trimming the end of text that may be hostile (a model's answer, a request's path, a link's
// text) in linear time. A regular expression such as /\s+$/ is not: on a long run of white
// space followed by something else, the engine tries the run from every position in it and
// fails each time at the end, so 100,000 spaces before a word cost seconds of a thread that
// serves everyone.

/** `text` without the characters at its end for which `drop` holds. */
export function trimEndWhile(text: string, drop: (char: string) => boolean): string {
  let end = text.length;
  while (end > 0 && drop(text[end - 1]!)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/**
 * `text` without the blank-line run that ends it: what /(?:\r?\n[ \t]*)+$/ removes (line
 * breaks, each with the spaces and tabs after it; spaces before the first stay).
 */
export function trimTrailingBlankLines(text: string): string {
  let end = text.length;
  for (;;) {
    let at = end;
    while (at > 0 && (text[at - 1] === " " || text[at - 1] === "\t")) at--;
    if (at === 0 || text[at - 1] !== "\n") break;
    at--;
    if (at > 0 && text[at - 1] === "\r") at--;
    end = at;
  }
  return end === text.length ? text : text.slice(0, end);
}

/** The line breaks (\n or \r\n) that end `text`, as they are. */
export function trailingLineBreaks(text: string): string {
  let start = text.length;
  while (start > 0) {
    if (text[start - 1] === "\n") start -= start > 1 && text[start - 2] === "\r" ? 2 : 1;
    else break;
  }
  return text.slice(start);
}
