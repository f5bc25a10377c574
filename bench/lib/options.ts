/** The runner's flags. Unknown flags are refused, so a typo does not silently run the full suite. */
export interface Options {
  rounds: number;
  seconds: number;
  /** JIT tiers settle within seconds and take a share of the first ones (more for the larger program). */
  warmup: number;
  /** The soak's heap settles more slowly (docs/performance.md). */
  soakWarmup: number;
  soak: boolean;
  noBinary: boolean;
  /** Only the scenarios and targets the goals read. */
  goals: boolean;
  /** Seconds of the memory scenarios' fill: every distinct Zipf query, so a cache budget can fill. */
  fillSeconds: number;
  scenarios: string[] | undefined;
  targets: string[] | undefined;
  /** A second path for the SVG chart (e.g. docs/performance-chart.svg). */
  chart: string | undefined;
}

const NUMBERS = ["--rounds", "--seconds", "--warmup", "--soak-warmup", "--fill-seconds"];
const LISTS = ["--scenarios", "--targets", "--chart"];
const SWITCHES = ["--soak", "--no-binary", "--goals"];

export function parseOptions(args: string[]): Options {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (SWITCHES.includes(arg)) switches.add(arg);
    else if (NUMBERS.includes(arg) || LISTS.includes(arg)) {
      const value = args[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      if (NUMBERS.includes(arg) && !(Number(value) >= 0))
        throw new Error(`${arg} needs a number, got ${value}`);
      values.set(arg, value);
    } else throw new Error(`unknown flag ${arg} (known: ${[...NUMBERS, ...LISTS, ...SWITCHES].join(" ")})`);
  }
  const number = (name: string, fallback: number) => Number(values.get(name) ?? fallback);
  const list = (name: string) => values.get(name)?.split(",").filter(Boolean);
  return {
    rounds: number("--rounds", 3),
    seconds: number("--seconds", 5),
    warmup: number("--warmup", 3),
    soakWarmup: number("--soak-warmup", 40),
    soak: switches.has("--soak"),
    noBinary: switches.has("--no-binary"),
    goals: switches.has("--goals"),
    fillSeconds: number("--fill-seconds", 30),
    scenarios: list("--scenarios"),
    targets: list("--targets"),
    chart: values.get("--chart"),
  };
}
