import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { settings } from "../../src/core/config/settings.ts";
import { effective, imageUid } from "./helpers/dockerfile.ts";
import { envProblems, flag, refuses, root, settingByEnv } from "./helpers/env.ts";
import {
  apiVersions,
  type Container,
  containerEnv,
  isGateway,
  type K8sDoc,
  type Kustomization,
  k8sDir,
  kustomizations,
  kustomize,
  loadYaml,
  type PodSpec,
  podLabels,
  portOf,
  selectorOf,
  selects,
  yamlFiles,
} from "./helpers/k8s.ts";
import { kustomize as realKustomize, titled, unavailable } from "./helpers/tools.ts";

/**
 * deploy/k8s without a cluster: every manifest and both kustomizations (built by the stand-in in
 * helpers/k8s.ts, which is checked against the real kustomize where one is installed): kinds, selectors,
 * probes, env and the ConfigMap/Secret keys behind it, shutdown timing, security.
 */
describe("deploy/k8s", () => {
  test("every file parses; every document has a known kind, its apiVersion and a name", () => {
    expect(yamlFiles.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const file of yamlFiles) {
      for (const doc of loadYaml(file)) {
        const where = `${relative(root, file)}: ${doc.kind} ${doc.metadata?.name ?? ""}`;
        const expected = apiVersions[doc.kind ?? ""];
        if (!expected) problems.push(`${where}: unexpected kind`);
        else if (doc.apiVersion !== expected)
          problems.push(`${where}: apiVersion ${doc.apiVersion}, not ${expected}`);
        if (doc.kind !== "Kustomization" && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(doc.metadata?.name ?? ""))
          problems.push(`${where}: no valid metadata.name`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("each kustomization lists every manifest beside it, and the resources and patches exist", () => {
    expect(kustomizations.map((d) => relative(k8sDir, d)).sort()).toEqual(["base", "demo"]);
    for (const dir of kustomizations) {
      const k = loadYaml(join(dir, "kustomization.yaml"))[0] as Kustomization;
      const named = [...(k.resources ?? []), ...(k.patches ?? []).map((p) => p.path)];
      for (const entry of named) expect([entry, existsSync(join(dir, entry))]).toEqual([entry, true]);
      const beside = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml");
      expect(beside.filter((f) => !named.includes(f))).toEqual([]);
    }
  });

  test.skipIf(unavailable(realKustomize))(
    titled("the stand-in builds what the real kustomize builds, for both kustomizations", realKustomize),
    () => {
      const key = (d: K8sDoc) => `${d.kind}/${d.metadata?.name}`;
      const sorted = (docs: K8sDoc[]) => [...docs].sort((a, b) => key(a).localeCompare(key(b)));
      for (const overlay of ["base", "demo"]) {
        const run = Bun.spawnSync([...(realKustomize.argv as string[]), join(k8sDir, overlay)], {
          stdout: "pipe",
          stderr: "pipe",
        });
        expect([overlay, run.stderr.toString(), run.exitCode]).toEqual([overlay, "", 0]);
        const parsed = Bun.YAML.parse(run.stdout.toString()) as K8sDoc | K8sDoc[];
        const real = Array.isArray(parsed) ? parsed : [parsed];
        expect(sorted(kustomize(join(k8sDir, overlay)))).toEqual(sorted(real));
      }
    },
  );

  for (const overlay of ["base", "demo"]) {
    describe(`kustomize build deploy/k8s/${overlay}`, () => {
      const docs = kustomize(join(k8sDir, overlay));
      const deployments = docs.filter((d) => d.kind === "Deployment");
      const gateway = deployments.find((d) => d.spec?.template?.spec.containers.some(isGateway));
      const pod = gateway?.spec?.template?.spec;
      const container = pod?.containers.find(isGateway);
      const { env, problems: refProblems } = container
        ? containerEnv(container, docs)
        : { env: new Map<string, string>(), problems: ["no gateway container"] };

      test("one gateway Deployment; its Service, HPA and PDB select its pods and only them", () => {
        expect(deployments.filter((d) => d.spec?.template?.spec.containers.some(isGateway))).toHaveLength(1);
        expect(selects(gateway?.spec?.selector?.matchLabels, podLabels(gateway ?? {}))).toBe(true);
        const others = deployments.filter((d) => d !== gateway);
        for (const kind of ["Service", "PodDisruptionBudget"]) {
          const doc = docs.find((d) => d.kind === kind && selects(selectorOf(d), podLabels(gateway ?? {})));
          expect([kind, doc !== undefined]).toEqual([kind, true]);
          const selector = selectorOf(doc);
          expect(others.filter((d) => selects(selector, podLabels(d))).map((d) => d.metadata?.name)).toEqual(
            [],
          );
        }
        // Every Deployment's own selector matches its pods, and no other Deployment's.
        for (const d of deployments) {
          expect(selects(d.spec?.selector?.matchLabels, podLabels(d))).toBe(true);
          const overlap = deployments.filter(
            (o) => o !== d && selects(d.spec?.selector?.matchLabels, podLabels(o)),
          );
          expect(overlap).toEqual([]);
        }
        const hpa = docs.find((d) => d.kind === "HorizontalPodAutoscaler");
        expect(hpa?.spec?.scaleTargetRef).toEqual({
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: gateway?.metadata?.name as string,
        });
        expect(hpa?.spec?.minReplicas ?? 1).toBeGreaterThanOrEqual(2);
        expect(hpa?.spec?.maxReplicas ?? 0).toBeGreaterThanOrEqual(hpa?.spec?.minReplicas ?? 1);
        // The HPA owns the count; a CPU target needs a CPU request.
        expect(gateway?.spec?.replicas).toBeUndefined();
        expect(container?.resources?.requests?.cpu).toBeDefined();
        // The Service reaches the API port by name.
        const service = docs.find(
          (d) => d.kind === "Service" && selects(selectorOf(d), podLabels(gateway ?? {})),
        );
        const api = service?.spec?.ports?.find(
          (p) => portOf(container as Container, p.targetPort) === Number(effective(env, "port")),
        );
        expect(api).toBeDefined();
      });

      test("env names are settings, values are accepted, ConfigMap/Secret references resolve", () => {
        const problems = [...refProblems];
        for (const [name, value] of env) {
          // The base Secret holds placeholders on purpose (checked below).
          const placeholder = overlay === "base" && value.includes("REPLACE_ME");
          problems.push(...envProblems(`${overlay}/${container?.name}`, name, value, !placeholder));
        }
        for (const name of [settings.jwtSecret.env, settings.usersUrl.env, settings.aggregatorUrl.env])
          if (!env.has(name)) problems.push(`${name} is not set`);
        // Secrets never in a ConfigMap.
        for (const cm of docs.filter((d) => d.kind === "ConfigMap"))
          for (const key of Object.keys(cm.data ?? {}))
            if (settingByEnv.get(key)?.sensitive)
              problems.push(`ConfigMap ${cm.metadata?.name}: ${key} is secret`);
        expect(problems).toEqual([]);
        expect(pod?.enableServiceLinks).toBe(false);
      });

      test("probes: readiness /readyz and liveness /healthz on the container's GATEWAY_PORT", () => {
        const port = Number(effective(env, "port"));
        const c = container as Container;
        expect(c.readinessProbe?.httpGet?.path).toBe("/readyz");
        expect(portOf(c, c.readinessProbe?.httpGet?.port)).toBe(port);
        expect(c.livenessProbe?.httpGet?.path).toBe("/healthz");
        expect(portOf(c, c.livenessProbe?.httpGet?.port)).toBe(port);
        if (c.startupProbe) expect(c.startupProbe.httpGet?.path).toBe("/healthz");
        const admin = env.get(settings.adminPort.env);
        if (admin !== undefined) expect(c.ports?.map((p) => p.containerPort)).toContain(Number(admin));
      });

      test("terminationGracePeriodSeconds covers the preStop, the drain delay and the drain timeout", () => {
        const c = container as Container;
        const preStop = c.lifecycle?.preStop;
        const execSleep = preStop?.exec?.command;
        const preStopMs = preStop?.sleep
          ? preStop.sleep.seconds * 1000
          : execSleep && basename(execSleep[0] ?? "") === "sleep"
            ? Number(execSleep[1]) * 1000
            : 0;
        const drainDelay = Number(effective(env, "drainDelayMs"));
        const drainTimeout = Number(effective(env, "drainTimeoutMs"));
        // Something keeps serving while endpoints are removed: a preStop, or the drain delay.
        expect(preStopMs + drainDelay).toBeGreaterThan(0);
        if (execSleep) expect(basename(execSleep[0] ?? "")).toBe("sleep");
        const grace = (pod?.terminationGracePeriodSeconds ?? 30) * 1000;
        expect(grace).toBeGreaterThan(preStopMs + drainDelay + drainTimeout);
      });

      test("every container: non-root as the image's user, read-only root, no capabilities, resources", () => {
        const problems: string[] = [];
        for (const d of deployments) {
          const spec = d.spec?.template?.spec as PodSpec;
          for (const c of spec.containers) {
            const where = `${d.metadata?.name}/${c.name}`;
            const sc = { ...spec.securityContext, ...c.securityContext };
            if (sc.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
            if (!sc.runAsUser) problems.push(`${where}: no non-zero runAsUser`);
            const usesOurImage = (c.image ?? "").split(":")[0]?.endsWith("search-gateway");
            if (usesOurImage && String(sc.runAsUser) !== imageUid)
              problems.push(`${where}: runAsUser ${sc.runAsUser} is not the image's USER ${imageUid}`);
            if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem is writable`);
            if (sc.allowPrivilegeEscalation !== false)
              problems.push(`${where}: privilege escalation allowed`);
            if (sc.privileged) problems.push(`${where}: privileged`);
            if (!sc.capabilities?.drop?.includes("ALL")) problems.push(`${where}: capabilities not dropped`);
            if ((sc.capabilities?.add ?? []).length > 0) problems.push(`${where}: capabilities added`);
            for (const kind of ["requests", "limits"] as const)
              for (const r of ["cpu", "memory"])
                if (!c.resources?.[kind]?.[r]) problems.push(`${where}: no ${r} ${kind}`);
            const tag = /:([\w.-]+)$/.exec(c.image ?? "")?.[1];
            if (!tag || tag === "latest") problems.push(`${where}: image ${c.image} has no fixed tag`);
          }
          if (spec.automountServiceAccountToken !== false)
            problems.push(`${d.metadata?.name}: mounts a service account token`);
        }
        expect(problems).toEqual([]);
      });

      if (overlay === "base") {
        test("the Secret holds placeholders only, and the JWT one is refused so pods cannot start with it", () => {
          const secret = docs.find((d) => d.kind === "Secret");
          const values = Object.entries(secret?.stringData ?? {});
          expect(values.length).toBeGreaterThan(0);
          for (const [key, value] of values)
            expect([key, value]).toEqual([key, expect.stringContaining("REPLACE_ME")]);
          expect(Object.keys(secret?.stringData ?? {})).toEqual(
            expect.arrayContaining([settings.jwtSecret.env, settings.metricsToken.env]),
          );
          expect(refuses(settings.jwtSecret, secret?.stringData?.[settings.jwtSecret.env] ?? "")).toBe(true);
        });
      } else {
        test("the backend URLs reach Services of this build, on ports their pods listen on", () => {
          const problems: string[] = [];
          for (const key of [settings.usersUrl.env, settings.aggregatorUrl.env, settings.redisUrl.env]) {
            const url = new URL(env.get(key) ?? "http://unset");
            const name = url.hostname.split(".")[0];
            const service = docs.find((d) => d.kind === "Service" && d.metadata?.name === name);
            const port = service?.spec?.ports?.find((p) => String(p.port) === url.port);
            if (!port) {
              problems.push(`${key}=${url}: no Service ${name} with port ${url.port}`);
              continue;
            }
            const backend = deployments.find((d) => selects(selectorOf(service), podLabels(d)));
            const c = backend?.spec?.template?.spec.containers[0];
            const target = c ? portOf(c, port.targetPort ?? port.port) : undefined;
            if (target === undefined) problems.push(`${key}: Service ${name} targets no container port`);
            // A reference backend listens where its --port says, on every interface.
            if (c?.args?.[0] === "reference") {
              if (flag(c.args, "--port") !== String(target))
                problems.push(`${name}: --port is not ${target}`);
              if (flag(c.args, "--host") !== "0.0.0.0") problems.push(`${name}: --host is not 0.0.0.0`);
              for (const probe of [c.readinessProbe, c.livenessProbe])
                if (portOf(c, probe?.httpGet?.port) !== target)
                  problems.push(`${name}: a probe misses its port`);
            }
          }
          expect(problems).toEqual([]);
        });
      }
    });
  }
});
