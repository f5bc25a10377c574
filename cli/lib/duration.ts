/**
 * A number of seconds as a person reads it: the two largest units, e.g. `12h 51m`, `3m 5s`, `45s`,
 * `364d 23h`. A raw `46260 s` makes the reader do the division.
 */
export function humanDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const units: [string, number][] = [
    ["d", Math.floor(seconds / 86_400)],
    ["h", Math.floor(seconds / 3600) % 24],
    ["m", Math.floor(seconds / 60) % 60],
    ["s", seconds % 60],
  ];
  const first = units.findIndex(([, n]) => n > 0);
  if (first === -1) return "0s";
  return units
    .slice(first, first + 2)
    .filter(([, n], i) => i === 0 || n > 0)
    .map(([unit, n]) => `${n}${unit}`)
    .join(" ");
}
