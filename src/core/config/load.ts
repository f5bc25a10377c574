import type { LoginLimits, PlanTable } from "../../models/subscription.ts";
import { TrustedProxies } from "../security/client-ip.ts";
import { loadKeyRing } from "../security/key-ring.ts";
import { redactUrls } from "../security/redact-url.ts";
import { readConfigFile } from "./file.ts";
import { ParseError } from "./parsers.ts";
import { fileSections, loadLoginLimits, loadPlans } from "./sections.ts";
import { configFileSetting, type SettingKey, type Settings, settings } from "./settings.ts";

export interface GatewayConfig extends Settings {
  /** Resolved: the setting, else the public URL, else "gateway" (see issuerOf). */
  jwtIssuer: string;
  plans: PlanTable;
  login: LoginLimits;
  configFile?: string;
}

/** Every problem found at once, so an operator fixes the whole config in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
    this.name = "ConfigError";
  }
}

export interface ConfigSources {
  /** Parsed CLI flags, keyed like `settings` (commander's camelCase of the flag). */
  flags?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
}

/** Precedence: flag > environment > config file > default. */
export function loadConfig({ flags = {}, env = process.env }: ConfigSources): GatewayConfig {
  const problems: string[] = [];
  const configFile = (flags.config as string | undefined) ?? env[configFileSetting.env];
  let file: Record<string, unknown> = {};
  if (configFile !== undefined && configFile !== "") {
    try {
      file = readConfigFile(configFile);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  for (const key of Object.keys(file)) {
    if (!(key in settings) && !(key in fileSections)) {
      problems.push(`config file key "${key}": not a setting (see the configuration table in README.md)`);
    }
  }

  const values: Record<string, unknown> = {};
  const invalid = new Set<SettingKey>();
  for (const [key, setting] of Object.entries(settings) as [SettingKey, (typeof settings)[SettingKey]][]) {
    const [raw, source] =
      flags[key] !== undefined
        ? [flags[key], setting.flag]
        : env[setting.env] !== undefined && env[setting.env] !== ""
          ? [env[setting.env], setting.env]
          : file[key] !== undefined
            ? [file[key], `config file key "${key}"`]
            : [undefined, ""];
    if (raw === undefined) {
      if (setting.default !== undefined) values[key] = setting.default;
      continue;
    }
    try {
      values[key] = setting.parse(raw);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      invalid.add(key);
      const shown =
        "sensitive" in setting && setting.sensitive ? "" : `, got ${redactUrls(JSON.stringify(raw))}`;
      problems.push(`${source}: expected ${error.message}${shown}`);
    }
  }

  const config = {
    ...values,
    jwtIssuer: issuerOf(values.jwtIssuer as string | undefined, values.publicUrl as string | undefined),
    plans: loadPlans(file.plans, problems),
    login: loadLoginLimits(file.login, problems),
  } as GatewayConfig;
  if (configFile) config.configFile = configFile;
  problems.push(
    ...missingForProduction(config, invalid),
    ...unsafeCombinations(config),
    ...keyProblems(config, values.jwtIssuer as string | undefined),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** What is absent, as one line (a value that failed to parse was reported already). */
function missingForProduction(config: GatewayConfig, invalid: Set<SettingKey>): string[] {
  if (config.demo) return [];
  const absent = (key: SettingKey) => config[key] === undefined && !invalid.has(key);
  const backends = (["usersUrl", "aggregatorUrl"] as const).filter(absent);
  const names = backends.map((key) => `${settings[key].env} (${settings[key].flag})`);
  if (absent("jwtKeys") && absent("jwtSecret")) {
    const keys = `${settings.jwtKeys.env} (${settings.jwtKeys.flag}) to a key ring (\`gateway keys generate\`)`;
    const secret = `${settings.jwtSecret.env} to an HS256 secret of at least 32 bytes`;
    if (names.length === 0) return [`set ${keys}, or ${secret}`];
    names.push(`${settings.jwtKeys.env} (${settings.jwtKeys.flag}), a key ring`);
  }
  if (names.length === 0) return [];
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  return [`set ${list}, or run with --demo to use the built-in reference backends`];
}

/**
 * Settings each valid alone but unsafe together, refused at start so that no deployment runs with them
 * by accident (one line each).
 */
function unsafeCombinations(config: GatewayConfig): string[] {
  const problems: string[] = [];
  const wide = new TrustedProxies(config.trustProxy ?? []).publicEntries();
  if (wide.length > 0 && !config.trustProxyUnsafe) {
    problems.push(
      `${settings.trustProxy.env}: ${wide.join(", ")} ${wide.length === 1 ? "contains" : "contain"} public addresses, so any client there could forge X-Forwarded-For; name only your proxies, or set ${settings.trustProxyUnsafe.env}=true (${settings.trustProxyUnsafe.flag}) if they really are public`,
    );
  }
  if (config.corsOrigins?.includes("*") && config.corsCredentials) {
    problems.push(
      `${settings.corsOrigins.env}=* with ${settings.corsCredentials.env}=true would let every site, the "null" origin of sandboxed frames included, make credentialed calls; list the origins, or turn credentials off`,
    );
  }
  return problems;
}

/**
 * The issuer identifier is one value: RFC 8414 §3.3 has a client refuse metadata whose `issuer` differs
 * from the one it expects, and tokens' `iss` is what it expects. So it follows the public URL unless set.
 */
function issuerOf(issuer: string | undefined, publicUrl: string | undefined): string {
  return issuer ?? publicUrl ?? "gateway";
}

/** The token keys: one kind of ring (RFC 8725 §3.1), which must load, and one issuer for tokens and metadata. */
function keyProblems(config: GatewayConfig, explicitIssuer: string | undefined): string[] {
  const problems: string[] = [];
  if (config.jwtKeys !== undefined && config.jwtSecret !== undefined) {
    problems.push(
      `${settings.jwtKeys.env} and ${settings.jwtSecret.env} are both set: a gateway signs with its key ring or, for compatibility, with an HS256 secret, never both; unset one`,
    );
  } else if (config.jwtKeys !== undefined) {
    try {
      loadKeyRing(config.jwtKeys);
    } catch (error) {
      problems.push(`${settings.jwtKeys.env}: ${(error as Error).message}`);
    }
  }
  if (explicitIssuer !== undefined && config.publicUrl !== undefined && explicitIssuer !== config.publicUrl) {
    problems.push(
      `${settings.jwtIssuer.env} "${explicitIssuer}" differs from ${settings.publicUrl.env} "${config.publicUrl}": the metadata's issuer must equal the tokens' iss (RFC 8414 §3.3); unset ${settings.jwtIssuer.env}`,
    );
  }
  return problems;
}
