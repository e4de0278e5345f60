/**
 * Gives a fixed-layout table's cut text the room other columns do not use: a column whose
 * <Truncate> text is cut grows, smallest lack first, taken from columns whose content is narrower
 * than their box in every row (never below their header). The header cells
 * get pixel widths; `resetColumns` takes them off. DOM only, no React (components/ui/table.tsx).
 */
/** Pixels kept free in every column, against rounding. */
const SLACK = 2;

export function fitColumns(table: HTMLTableElement): void {
  const head = table.tHead?.rows[0];
  if (!head) return;
  resetColumns(table);
  const shown = (c: HTMLTableCellElement) => c.getClientRects().length > 0;
  const ths = [...head.cells].filter(shown);
  const n = ths.length;
  if (n < 2) return;
  const widths = ths.map((th) => th.getBoundingClientRect().width);
  const need: number[] = new Array(n).fill(0);
  const spare: number[] = ths.map((th, i) => (widths[i] ?? 0) - naturalWidth(th) - padding(th));
  const range = document.createRange();

  for (const body of table.tBodies) {
    for (const row of body.rows) {
      const cells = [...row.cells].filter(shown);
      if (cells.length !== n) continue; // a row spanning columns (an empty state) says nothing
      cells.forEach((cell, i) => {
        const spans = cell.querySelectorAll<HTMLElement>("[data-truncate]");
        if (spans.length === 0) {
          // Other content (numbers, badges, times) does not wrap here: it may give what it does not
          // use, unless something in it is already cut (a long tag in a badge).
          const cut = [...cell.querySelectorAll<HTMLElement>(".truncate")].some(
            (el) => el.scrollWidth > el.clientWidth + 1,
          );
          const room = cut ? 0 : cell.clientWidth - padding(cell) - naturalWidth(cell) - SLACK;
          spare[i] = Math.min(spare[i] ?? 0, Math.max(room, 0));
          return;
        }
        for (const span of spans) {
          // A cut text's boxes end at the ellipsis, so its width is the scroll width; an uncut
          // one's scroll width is its box, so its width is its text's.
          range.selectNodeContents(span);
          const natural =
            span.scrollWidth > span.clientWidth ? span.scrollWidth : range.getBoundingClientRect().width;
          const room = span.clientWidth - Math.ceil(natural) - SLACK;
          if (room < 0) need[i] = Math.max(need[i] ?? 0, -room);
          spare[i] = Math.min(spare[i] ?? 0, Math.max(room, 0));
        }
      });
    }
  }
  need.forEach((d, i) => {
    if (d > 0) spare[i] = 0;
  });
  const totalSpare = spare.reduce((a, b) => a + Math.max(b, 0), 0);
  // The smallest lacks first: a name a few pixels short is shown whole before a long description
  // gets anything.
  const grow: number[] = new Array(n).fill(0);
  let budget = totalSpare;
  for (const i of need.map((_, i) => i).sort((a, b) => (need[a] ?? 0) - (need[b] ?? 0))) {
    const give = Math.min(need[i] ?? 0, budget);
    grow[i] = give;
    budget -= give;
  }
  const move = totalSpare - budget;
  if (move < 4) return;
  ths.forEach((th, i) => {
    const w = widths[i] ?? 0;
    const shrink = (Math.max(spare[i] ?? 0, 0) * move) / totalSpare;
    th.style.width = `${Math.floor(w + (grow[i] ?? 0) - shrink)}px`;
  });
}

/** Back to the widths the TH classes give. */
export function resetColumns(table: HTMLTableElement): void {
  const head = table.tHead?.rows[0];
  if (!head) return;
  for (const th of head.cells) th.style.width = "";
}

function naturalWidth(el: HTMLElement): number {
  const range = document.createRange();
  range.selectNodeContents(el);
  return range.getBoundingClientRect().width;
}

function padding(el: HTMLElement): number {
  const s = getComputedStyle(el);
  return Number.parseFloat(s.paddingLeft) + Number.parseFloat(s.paddingRight) + 1;
}
