// One assistant answer on screen, rendered incrementally: the text is cut into blocks that
// never change again (blocks.ts); each is rendered once, and only the last, unfinished
// block is rendered again as more text streams in. Work is done in animation frames within
// a time budget, so the cost of a frame does not grow with the answer. Beyond a limit the
// rest stays collapsed behind "Show all" (rendered in budgeted slices when asked). Stop
// freezes the view: nothing received after it is rendered.
import { scanBlocks, START_SCAN, type BlockScan } from "./blocks";
import { renderMarkdown, type RenderStrings } from "./markdown";

/** Characters rendered before the rest is collapsed behind "Show all". */
export const COLLAPSE_AT = 60_000;
/** The unfinished last block is rendered up to this many characters (a giant open fence would otherwise cost more each frame). */
const TAIL_MAX = 16_000;
/** Closed blocks are rendered together up to about this size per call. */
const CHUNK = 2_000;
/** Rendering work per frame, in ms; the rest waits for the next frame. */
const FRAME_BUDGET_MS = 6;

export interface AnswerStrings extends RenderStrings {
  readonly showAll: string;
  readonly hiddenChars: string;
}

export class AnswerView {
  readonly element: HTMLElement;
  private text = "";
  /** text[0, done) is rendered as finished blocks. */
  private done = 0;
  private scan: BlockScan = START_SCAN;
  /** Block cuts found but not yet rendered (ascending, > done). */
  private cuts: number[] = [];
  private readonly blocks: HTMLElement;
  private readonly tail: HTMLElement;
  /** The end offset of the text the tail was last rendered for (-1: never). */
  private tailEnd = -1;
  private tailCost = 0;
  private tailAt = 0;
  private limit = COLLAPSE_AT;
  private readonly more: HTMLElement;
  private frozen = false;
  /** Whether the text may still grow (the answer is streaming). */
  streaming = false;

  constructor(
    private readonly strings: AnswerStrings,
    private readonly onDecorate: (root: HTMLElement) => void,
    private readonly schedule: (view: AnswerView) => void,
  ) {
    this.element = document.createElement("div");
    this.element.className = "content";
    this.blocks = document.createElement("div");
    this.blocks.className = "blocks";
    this.tail = document.createElement("div");
    this.tail.className = "block tail";
    this.more = document.createElement("div");
    this.more.className = "collapsed-more";
    this.more.hidden = true;
    const note = document.createElement("span");
    note.className = "collapsed-note";
    const showAll = document.createElement("button");
    showAll.type = "button";
    showAll.className = "show-all";
    showAll.textContent = strings.showAll;
    showAll.addEventListener("click", () => {
      this.limit = Infinity;
      this.more.hidden = true;
      this.schedule(this);
    });
    this.more.append(note, showAll);
    this.element.append(this.blocks, this.tail, this.more);
  }

  get length(): number {
    return this.text.length;
  }

  /** What the person has been shown: the rendered text, or all of it where the rest is collapsed behind Show all. */
  get shownLength(): number {
    return this.more.hidden ? Math.min(this.text.length, this.renderedEnd()) : this.text.length;
  }

  private renderedEnd(): number {
    return Math.max(this.done, this.tailEnd);
  }

  append(piece: string): void {
    if (this.frozen || piece === "") return;
    this.text += piece;
    this.schedule(this);
  }

  /** The turn's whole text (from a state message): grows the view if it extends what is shown, else starts again. */
  setText(text: string): void {
    if (this.frozen || text === this.text) return;
    if (text.startsWith(this.text)) {
      this.append(text.slice(this.text.length));
      return;
    }
    this.text = text;
    this.done = 0;
    this.scan = START_SCAN;
    this.cuts = [];
    this.tailEnd = -1;
    this.blocks.textContent = "";
    this.tail.textContent = "";
    this.schedule(this);
  }

  /** Stops showing more text: what is rendered now stays; returns how much text that is. */
  freeze(): number {
    if (!this.frozen) {
      this.text = this.text.slice(0, this.shownLength);
      this.frozen = true;
    }
    return this.text.length;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  /** Does up to a frame's budget of rendering; returns whether more work is left for later frames. */
  step(frameStart: number): boolean {
    // Frozen by Stop: what is on screen stays exactly as it is (no late tail or block render).
    if (this.frozen) return false;
    const found = scanBlocks(this.text, this.scan);
    this.scan = found.scan;
    this.cuts.push(...found.cuts);
    while (this.cuts.length > 0 && this.done < this.limit && performance.now() - frameStart < FRAME_BUDGET_MS) {
      // Several small blocks in one render call; a large one alone.
      let end = this.cuts[0];
      let used = 1;
      while (used < this.cuts.length && this.cuts[used] - this.done <= CHUNK) end = this.cuts[used++];
      // A block that would run far past the limit stays the (capped) tail, collapsed.
      if (end > this.limit + TAIL_MAX) break;
      this.cuts.splice(0, used);
      this.blocks.append(this.render(this.text.slice(this.done, end), "block"));
      this.done = end;
    }
    const pendingBlocks = this.cuts.length > 0 && this.done < this.limit && (this.cuts[0] <= this.limit + TAIL_MAX);
    let pendingTail = false;
    const tailEnd = this.done >= this.limit ? this.done : this.limit === Infinity && !this.streaming ? this.text.length : Math.min(this.text.length, this.done + TAIL_MAX);
    if (tailEnd !== this.tailEnd || (this.tailEnd > this.done && this.tail.childElementCount === 0)) {
      const now = performance.now();
      // The unfinished block is rendered again at most as often as its cost allows (3× its cost apart).
      if (!this.streaming || now - this.tailAt >= this.tailCost * 3) {
        this.tail.textContent = "";
        if (tailEnd > this.done) this.tail.append(this.render(this.text.slice(this.done, tailEnd), "tail-body"));
        this.tailEnd = tailEnd;
        this.tailAt = performance.now();
        this.tailCost = this.tailAt - now;
      } else pendingTail = true;
    }
    const hidden = this.text.length - this.renderedEnd();
    this.more.hidden = hidden <= 0 || this.limit === Infinity;
    if (!this.more.hidden) {
      // Written only when it changes: every state message steps each view, and a rewrite is a DOM change.
      const note = `${this.strings.hiddenChars.replace("{0}", hidden.toLocaleString())} `;
      if (this.more.firstElementChild!.textContent !== note) this.more.firstElementChild!.textContent = note;
    }
    return pendingBlocks || pendingTail;
  }

  private render(text: string, className: string): HTMLElement {
    const node = document.createElement("div");
    node.className = className;
    node.append(renderMarkdown(text, this.strings).fragment);
    this.onDecorate(node);
    return node;
  }
}
