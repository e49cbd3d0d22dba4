// Letters from other scripts drawn like Latin letters or digits (after Unicode's confusables
// list, UTS #39, cut down to the ones that stand in for token characters). A token written
// `ghр_…` with a Cyrillic р reads as a GitHub token to a person and to a model, but to no
// pattern. NFKC already folds fullwidth, mathematical and circled forms; these it leaves.

const PAIRS = [
  // Cyrillic
  "аa еe оo рp сc уy хx ѕs іi јj ԁd ԛq ԝw һh ӏl ьb ѵv үy",
  "АA ВB ЕE КK МM НH ОO РP СC ТT ХX УY ЅS ІI ЈJ ԚQ ԜW ҮY З3 б6",
  // Greek
  "ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX οo αa νv ρp ιi υu ϲc ϳj γy",
  // Latin letters outside ASCII that are drawn as ASCII ones
  "ıi ȷj ɑa ɡg ɩi ʜH ʟL ɴN ʀR ꞵb",
  // Armenian
  "օo ոn սu հh",
  // Cherokee capitals
  "ᎪA ᏴB ᏟC ᎬE ᏀG ᎻH ᎫJ ᏦK ᎷM ᏢP ᏚS ᎢT ᏔW ᏃZ",
].join(" ");

/** Each pair is a look-alike (one UTF-16 unit, all in the BMP) and the ASCII character it is drawn like. */
const FOLD: ReadonlyMap<number, string> = new Map(PAIRS.split(" ").map((pair) => [pair.charCodeAt(0), pair[1]]));

/** The ASCII character `code` is drawn like, if it is a look-alike. */
export function confusableFold(code: number): string | undefined {
  return FOLD.get(code);
}
