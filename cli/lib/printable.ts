/**
 * Text from a backend, made safe to print to a terminal. Control characters (C0, DEL, C1) can move the
 * cursor, recolour or retitle the terminal, or rewrite what was printed before (ESC sequences, CR);
 * bidirectional embeddings, overrides, isolates and marks reorder what is shown, so a line can read
 * differently from what it holds (CVE-2021-42574, "Trojan Source"). Both are dropped, not escaped: a
 * table is for reading, and `--json` keeps the text as it came.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export const printable = (text: string): string => text.replace(UNPRINTABLE, "");
