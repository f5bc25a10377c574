import { describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import {
  cliSettingsTable,
  configFileKeys,
  fileDefaultsJson,
  markdownTable,
  readmeSettingsTable,
  replaceRegions,
} from "../../src/core/config/docs.ts";
import { fileSections } from "../../src/core/config/sections.ts";
import { configFileSetting, settings } from "../../src/core/config/settings.ts";
import { LoginLimits } from "../../src/models/subscription.ts";

describe("config docs", () => {
  test("tables are padded to their widest cell, pipes escaped", () => {
    expect(markdownTable(["a", "bb"], [["ccc", "x|y"]])).toBe(
      ["| a   | bb   |", "| --- | ---- |", "| ccc | x\\|y |"].join("\n"),
    );
  });

  test("every setting, and the config file one, has a row in both tables", () => {
    for (const table of [readmeSettingsTable(), cliSettingsTable()]) {
      for (const setting of [...Object.values(settings), configFileSetting]) {
        expect(table).toContain(`\`${setting.env}\``);
      }
    }
  });

  test("docs/cli.md states an integer setting's range, in bytes where it is a size", () => {
    const table = cliSettingsTable();
    const row = (env: string) => table.split("\n").find((line) => line.includes(`\`${env}\``)) ?? "";
    expect(row(settings.jwtTtl.env)).toContain("(60–86400)");
    expect(row(settings.upstreamMaxBytes.env)).toContain("(1024–1 GiB)");
    expect(row(settings.jwtSecret.env)).toContain("never echoed");
    expect(row(settings.demo.env)).toContain("`--demo`  ");
    expect(row(settings.host.env)).toContain("`--host <value>`");
  });

  test("a key added to a file-only section's schema shows up with its default and description", () => {
    const login = Type.Object({
      ...LoginLimits.properties,
      lockoutSeconds: Type.Integer({ minimum: 1, maximum: 60, description: "How long a lockout lasts" }),
    });
    const keys = configFileKeys({
      ...fileSections,
      login: { schema: login, defaults: { ...fileSections.login.defaults, lockoutSeconds: 30 } },
    });
    expect(keys).toContain("| `login.lockoutSeconds`");
    expect(keys).toMatch(/`login\.lockoutSeconds` +\| `30` +\| How long a lockout lasts \(1–60\)/);
    expect(keys).toContain("`plans.premium.searchesPerDay`");
    expect(keys).toContain("`redisTimeoutMs`.");
  });

  test("a section key without a description is refused rather than documented blank", () => {
    const schema = Type.Object({ bare: Type.Integer() });
    expect(() => configFileKeys({ extra: { schema, defaults: { bare: 1 } } })).toThrow(
      /"extra.bare".*description/,
    );
  });

  test("the README's example config is the sections' defaults", () => {
    const json = fileDefaultsJson().replace(/^```json\n|\n```$/g, "");
    expect(JSON.parse(json)).toEqual({
      plans: fileSections.plans.defaults,
      login: fileSections.login.defaults,
    });
  });

  test("regions are replaced between their markers, keeping the begin marker's note", () => {
    const text = "intro\n<!-- t:begin (generated) -->\nold\n<!-- t:end -->\nrest\n";
    expect(replaceRegions(text, { t: "new" }, "x.md")).toBe(
      "intro\n<!-- t:begin (generated) -->\n\nnew\n\n<!-- t:end -->\nrest\n",
    );
    expect(() => replaceRegions("no markers", { t: "new" }, "x.md")).toThrow(/x\.md.*t:begin/);
    expect(() => replaceRegions(`${text}${text}`, { t: "new" }, "x.md")).toThrow(/exactly one/);
    expect(() => replaceRegions("<!-- t:begin -->\nold", { t: "new" }, "x.md")).toThrow(/t:end/);
  });
});
