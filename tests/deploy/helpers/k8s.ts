import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { root } from "./env.ts";

// deploy/k8s

export type Labels = Record<string, string>;
export interface Probe {
  httpGet?: { path?: string; port?: number | string };
  exec?: { command?: string[] };
  tcpSocket?: { port?: number | string };
}
export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
}
export interface KeyRef {
  name: string;
  key: string;
}
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: { command?: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
}
export interface PodSpec {
  containers: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
  enableServiceLinks?: boolean;
  automountServiceAccountToken?: boolean;
}
export interface K8sDoc {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; labels?: Labels };
  // ConfigMap, Secret
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    // Deployment
    replicas?: number;
    // a Service's is the labels themselves; the others' have matchLabels
    selector?: { matchLabels?: Labels; [label: string]: unknown };
    template?: { metadata?: { labels?: Labels }; spec: PodSpec };
    // Service
    ports?: { name?: string; port: number; targetPort?: number | string }[];
    // HPA
    scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
    minReplicas?: number;
    maxReplicas?: number;
    // PDB
    minAvailable?: number | string;
    maxUnavailable?: number | string;
  };
}
export interface Kustomization {
  resources?: string[];
  patches?: { path: string }[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

export const k8sDir = join(root, "deploy", "k8s");
export const apiVersions: Record<string, string> = {
  Deployment: "apps/v1",
  Service: "v1",
  ConfigMap: "v1",
  Secret: "v1",
  HorizontalPodAutoscaler: "autoscaling/v2",
  PodDisruptionBudget: "policy/v1",
  Kustomization: "kustomize.config.k8s.io/v1beta1",
};

export function loadYaml(path: string): K8sDoc[] {
  const parsed = Bun.YAML.parse(readFileSync(path, "utf8")) as K8sDoc | K8sDoc[] | null;
  return (Array.isArray(parsed) ? parsed : [parsed]).filter((d): d is K8sDoc => d !== null);
}
export const yamlFiles = readdirSync(k8sDir, { recursive: true, encoding: "utf8" })
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join(k8sDir, f));
export const kustomizations = yamlFiles.filter((f) => basename(f) === "kustomization.yaml").map(dirname);

export function merge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (value && typeof value === "object" && !Array.isArray(value) && current && typeof current === "object")
      merge(current as Record<string, unknown>, value as Record<string, unknown>);
    else target[key] = value;
  }
}

/**
 * What `kustomize build dir` makes of our kustomizations: resources, strategic-merge patches, images. A
 * stand-in rather than the real kustomize because Debian bookworm packages none that reads these files
 * (its kubectl 1.20 embeds kustomize v2.0.3, which refuses `patches:`), so CI could not run it; k8s.test.ts
 * checks that this builds exactly what the real one does wherever a kustomize v4+ is installed.
 */
export function kustomize(dir: string): K8sDoc[] {
  const k = loadYaml(join(dir, "kustomization.yaml"))[0] as Kustomization;
  const docs: K8sDoc[] = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    docs.push(...(statSync(path).isDirectory() ? kustomize(path) : structuredClone(loadYaml(path))));
  }
  for (const { path } of k.patches ?? []) {
    for (const patch of loadYaml(join(dir, path))) {
      const target = docs.find((d) => d.kind === patch.kind && d.metadata?.name === patch.metadata?.name);
      if (!target) throw new Error(`${relative(root, join(dir, path))}: patches nothing`);
      merge(target as Record<string, unknown>, patch as Record<string, unknown>);
    }
  }
  for (const image of k.images ?? []) {
    for (const doc of docs) {
      for (const c of doc.spec?.template?.spec.containers ?? []) {
        const [name, tag] = (c.image ?? "").split(":");
        if (name === image.name) c.image = `${image.newName ?? name}:${image.newTag ?? tag}`;
      }
    }
  }
  return docs;
}

export const selects = (selector: Labels | undefined, labels: Labels | undefined) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);
export const podLabels = (d: K8sDoc) => d.spec?.template?.metadata?.labels;
export const selectorOf = (d: K8sDoc | undefined) =>
  d?.kind === "Service" ? (d.spec?.selector as Labels | undefined) : d?.spec?.selector?.matchLabels;
export const isGateway = (c: Container) => (c.args ?? c.command?.slice(1) ?? ["serve"])[0] === "serve";

/** The container's environment as Kubernetes would give it, and every reference that points nowhere. */
export function containerEnv(c: Container, docs: K8sDoc[]) {
  const env = new Map<string, string>();
  const problems: string[] = [];
  const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata?.name === name);
  const values = (d: K8sDoc | undefined) => ({
    ...Object.fromEntries(
      Object.entries(d?.data ?? {}).map(([k, v]) => [k, d?.kind === "Secret" ? atob(v) : v]),
    ),
    ...d?.stringData,
  });
  for (const from of c.envFrom ?? []) {
    const [kind, name] = from.configMapRef
      ? ["ConfigMap", from.configMapRef.name]
      : ["Secret", from.secretRef?.name ?? ""];
    const doc = find(kind, name);
    if (!doc) problems.push(`${c.name}: envFrom ${kind} ${name} does not exist`);
    for (const [k, v] of Object.entries(values(doc))) env.set(k, v);
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.configMapKeyRef ?? e.valueFrom?.secretKeyRef;
    if (!ref) {
      env.set(e.name, e.value ?? "");
      continue;
    }
    const kind = e.valueFrom?.configMapKeyRef ? "ConfigMap" : "Secret";
    const doc = find(kind, ref.name);
    const value = values(doc)[ref.key];
    if (value === undefined)
      problems.push(`${c.name}: ${e.name} needs key ${ref.key} of ${kind} ${ref.name}`);
    else env.set(e.name, value);
  }
  return { env, problems };
}

export function portOf(c: Container, port: number | string | undefined): number | undefined {
  return typeof port === "number" ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}

/** The environment Kubernetes gives the gateway container of a kustomization. */
export function gatewayEnv(overlay: string): Map<string, string> {
  const docs = kustomize(join(k8sDir, overlay));
  for (const doc of docs.filter((d) => d.kind === "Deployment")) {
    const c = doc.spec?.template?.spec.containers.find(isGateway);
    if (c) return containerEnv(c, docs).env;
  }
  throw new Error(`no gateway container in deploy/k8s/${overlay}`);
}
