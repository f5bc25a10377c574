import type { TSchema } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import {
  DEFAULT_LOGIN_LIMITS,
  DEFAULT_PLANS,
  LoginLimits,
  PlanLimits,
  PlanTable,
} from "../../models/subscription.ts";

/**
 * The config file's own sections (no env var or flag): the loader accepts these keys, and the docs list
 * every key under them, with its default and description, from the schema.
 */
export const fileSections = {
  plans: { schema: PlanTable, defaults: DEFAULT_PLANS },
  login: { schema: LoginLimits, defaults: DEFAULT_LOGIN_LIMITS },
} as const satisfies Record<string, { schema: TSchema; defaults: object }>;

/** Config-file-only sections: objects merged key by key over their defaults, then checked whole. */
const checkPlan = TypeCompiler.Compile(PlanLimits);
const checkLogin = TypeCompiler.Compile(LoginLimits);

function merge<T extends object>(
  name: string,
  raw: unknown,
  defaults: T,
  check: TypeCheck<TSchema>,
  problems: string[],
): T {
  if (raw === undefined) return defaults;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push(`config file key "${name}": expected an object`);
    return defaults;
  }
  const merged = { ...defaults, ...raw };
  if (check.Check(merged)) return merged;
  for (const error of check.Errors(merged)) {
    problems.push(`config file key "${name}${error.path.replaceAll("/", ".")}": ${error.message}`);
  }
  return defaults;
}

export function loadPlans(raw: unknown, problems: string[]): PlanTable {
  if (raw === undefined) return DEFAULT_PLANS;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push('config file key "plans": expected an object like {"free": {...}, "premium": {...}}');
    return DEFAULT_PLANS;
  }
  const plans: PlanTable = { ...DEFAULT_PLANS };
  for (const [name, value] of Object.entries(raw)) {
    if (name !== "free" && name !== "premium") {
      problems.push(`config file key "plans.${name}": unknown plan (known: free, premium)`);
      continue;
    }
    plans[name] = merge(`plans.${name}`, value, DEFAULT_PLANS[name], checkPlan, problems);
  }
  return plans;
}

export function loadLoginLimits(raw: unknown, problems: string[]) {
  return merge("login", raw, DEFAULT_LOGIN_LIMITS, checkLogin, problems);
}
