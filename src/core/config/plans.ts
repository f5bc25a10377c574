import { TypeCompiler } from "@sinclair/typebox/compiler";
import { DEFAULT_PLANS, PlanLimits, type PlanTable } from "../../models/subscription.ts";

const checkPlan = TypeCompiler.Compile(PlanLimits);

/** Merges the config file's `plans` over the defaults, key by key, and says what is wrong with it. */
export function loadPlans(raw: unknown, problems: string[]): PlanTable {
  if (raw === undefined) return DEFAULT_PLANS;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push('config file key "plans": expected an object like {"free": {...}, "premium": {...}}');
    return DEFAULT_PLANS;
  }
  const plans: PlanTable = { free: { ...DEFAULT_PLANS.free }, premium: { ...DEFAULT_PLANS.premium } };
  for (const [name, value] of Object.entries(raw)) {
    if (name !== "free" && name !== "premium") {
      problems.push(`config file key "plans.${name}": unknown plan (known: free, premium)`);
      continue;
    }
    const merged = { ...plans[name], ...(typeof value === "object" && value !== null ? value : {}) };
    if (typeof value !== "object" || value === null || !checkPlan.Check(merged)) {
      for (const error of checkPlan.Errors(merged)) {
        problems.push(`config file key "plans.${name}${error.path.replaceAll("/", ".")}": ${error.message}`);
      }
      if (typeof value !== "object" || value === null)
        problems.push(`config file key "plans.${name}": expected an object`);
      continue;
    }
    plans[name] = merged;
  }
  return plans;
}
