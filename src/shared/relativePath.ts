// Paths relative to a folder, as the repository and the chat's links write them (`/` separators).

/** Joins and normalises `a/b` + `../c` → `a/c`; undefined when it climbs out of the root. */
export function joinRelative(base: string, relative: string): string | undefined {
  const parts = base === "" ? [] : base.split("/");
  for (const part of relative.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}
