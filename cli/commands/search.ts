import { type Command, InvalidArgumentError } from "commander";
import type { IO } from "../lib/io.ts";
import { printable } from "../lib/printable.ts";
import { bearerToken, openSession } from "../lib/session.ts";
import { renderTable } from "../lib/table.ts";

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("must be a whole number of 1 or more");
  return Number(value);
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSearch(program: Command, io: IO): void {
  program
    .command("search")
    .description("Search products across every marketplace")
    .argument("<query...>", "what to look for (several words are joined)")
    .option("-c, --category <name>", "only this category (repeatable)", collect, [] as string[])
    .option("-n, --limit <n>", "how many results (the plan's maximum applies)", positiveInteger)
    .option("--json", "print the gateway's JSON answer")
    .option("--config <file>", "config file, as for `gateway serve`")
    .action(
      async (
        words: string[],
        options: { category: string[]; limit?: number; json?: boolean; config?: string },
      ) => {
        const session = await openSession(io, options.config);
        try {
          const token = await bearerToken(session, io);
          const caller = await session.services.auth.authenticate(`Bearer ${token}`, session.ctx);
          const answer = (
            await session.services.search.search(
              { query: words.join(" "), categories: options.category, limit: options.limit },
              caller,
              session.ctx,
            )
          ).value;
          if (options.json) {
            io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
            return;
          }
          if (answer.results.length === 0) {
            io.stdout(`No products found for "${printable(answer.query)}".\n`);
            return;
          }
          const rows = answer.results.map((p) => [p.title, `${p.price.toFixed(2)} ${p.currency}`, p.source]);
          io.stdout(`${renderTable(["TITLE", "PRICE", "SOURCE"], rows)}\n`);
          io.stderr(`${answer.results.length} results (limit ${answer.limit}, ${caller.plan} plan)\n`);
        } finally {
          await session.close();
        }
      },
    );
}
