import { printable } from "./printable.ts";

export type Align = "left" | "right";

/**
 * A plain text table for a terminal: cells made printable (they hold backend text), columns padded to
 * their widest cell, long cells cut with an ellipsis. Numbers read best right-aligned: their decimal
 * points line up, so prices can be compared down the column.
 */
export function renderTable(headers: string[], rows: string[][], align: Align[] = [], maxWidth = 60): string {
  const cut = (raw: string) => {
    const cell = printable(raw);
    return cell.length > maxWidth ? `${cell.slice(0, maxWidth - 1)}…` : cell;
  };
  const cells = [headers, ...rows].map((row) => row.map(cut));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (align[i] === "right" ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [
    line(cells[0] ?? []),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.slice(1).map(line),
  ].join("\n");
}
