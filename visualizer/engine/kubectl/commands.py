"""kubectl verbs: apply, create, run, get, describe, delete, scale, set image, rollout, expose, autoscale, ...

Each verb validates its arguments before touching the cluster and then writes through the API server, so a
refused command changes nothing. Output strings copy kubectl (`deployment.apps/web created`,
`Error from server (NotFound): deployments.apps "x" not found`, `No resources found in default namespace.`).
"""

from __future__ import annotations

import base64
import difflib
import json

from ..apiserver import ApiError, not_found
from ..clock import human_duration, stamp
from ..controllers.deployment import CHANGE_CAUSE, revision_of, strip_hash
from ..objects import (
    BY_KIND,
    RESOURCES,
    Resource,
    clone,
    did_you_mean,
    etcd_key,
    lookup_resource,
    matches,
    parse_bytes,
    parse_selector,
)
from ..registry import parse_image
from ..yaml_input import YamlError, load_documents
from . import printers
from .args import Args, CommandError, parse

VERBS = (
    "apply",
    "create",
    "run",
    "get",
    "describe",
    "delete",
    "scale",
    "set",
    "rollout",
    "expose",
    "autoscale",
    "cordon",
    "uncordon",
    "drain",
    "logs",
    "exec",
    "diff",
    "label",
    "annotate",
    "version",
    "cluster-info",
    "api-resources",
    "top",
    "explain",
    "edit",
)
READ_ONLY = {"get", "describe", "logs", "diff", "version", "cluster-info", "api-resources", "top", "explain"}
VALUE_FLAGS = {
    "-n",
    "--namespace",
    "-o",
    "--output",
    "-l",
    "--selector",
    "-f",
    "--filename",
    "--image",
    "--replicas",
    "--port",
    "--target-port",
    "--type",
    "--name",
    "--min",
    "--max",
    "--cpu-percent",
    "--cpu",
    "--to-revision",
    "--revision",
    "--grace-period",
    "--from-literal",
    "--dry-run",
    "-c",
    "--container",
    "--timeout",
    "--tcp",
    "--env",
    "--labels",
    "--restart",
    "--cascade",
    "--tail",
    "--protocol",
    "--field-selector",
    "--current-replicas",
    "--node-port",
    "--sort-by",
    "--from-file",
}
BOOL_FLAGS = {
    "-A",
    "--all-namespaces",
    "--all",
    "--force",
    "--wide",
    "--show-labels",
    "-w",
    "--watch",
    "-i",
    "-t",
    "--stdin",
    "--tty",
    "--ignore-daemonsets",
    "--delete-emptydir-data",
    "--overwrite",
    "-p",
    "--previous",
    "--record",
    "--server-side",
    "--wait",
    "--rm",
    "-q",
    "--quiet",
    "--validate",
}
READ_ONLY_SHELL = (
    "cat",
    "ls",
    "env",
    "printenv",
    "hostname",
    "nslookup",
    "pwd",
    "whoami",
    "id",
    "date",
    "true",
    "false",
)
GET_ALL = ("Pod", "Service", "Deployment", "ReplicaSet", "HorizontalPodAutoscaler")


def is_mutating(words: list[str]) -> bool:
    """Returns False for verbs that only read (no checkpoint needed)."""
    if not words:
        return False
    if words[0] == "rollout" and len(words) > 1 and words[1] in ("status", "history"):
        return False
    if words[0] == "exec" and "--" in words:
        # Reading files, the environment or DNS changes nothing; writes and curl (request counts) do.
        command = words[words.index("--") + 1 :]
        return not command or command[0].rsplit("/", 1)[-1] not in READ_ONLY_SHELL
    return words[0] not in READ_ONLY


def run(c, words: list[str], stdin: str | None) -> str:
    """Runs `kubectl WORDS...`; returns the output or raises CommandError / ApiError / YamlError."""
    if not words or words[0] in ("-h", "--help", "help"):
        return _help()
    verb = words[0]
    if verb not in VERBS:
        guess = did_you_mean(verb, VERBS)
        hint = ("\n\nDid you mean this?\n" + "\n".join(f"\t{g}" for g in guess)) if guess else ""
        raise CommandError(f'error: unknown command "{verb}" for "kubectl"{hint}')
    args = parse(words[1:], VALUE_FLAGS, BOOL_FLAGS)
    handler = globals()[f"_cmd_{verb.replace('-', '_')}"]
    return handler(c, args, stdin)


def _help() -> str:
    return (
        "kubectl controls the (simulated) Kubernetes cluster manager.\n\nBasic Commands:\n"
        "  create, expose, run, set, get, delete, explain\nDeploy Commands:\n  rollout, scale, autoscale\n"
        "Cluster Management Commands:\n  cordon, uncordon, drain, top, cluster-info\n"
        "Troubleshooting and Debugging Commands:\n  describe, logs, exec\nAdvanced Commands:\n  diff, apply\n"
        "Settings Commands:\n  label, annotate\nOther Commands:\n  api-resources, version"
    )


# ---------------------------------------------------------------------------------------------- helpers
def _ns(args: Args) -> str:
    return args.get("-n", "--namespace", default="default")


def _resource(word: str) -> Resource:
    res = lookup_resource(word)
    if res is None:
        raise CommandError(f'error: the server doesn\'t have a resource type "{word}"')
    return res


def _targets(c, args: Args, words: list[str]) -> list[tuple[Resource, str]]:
    """Returns (resource, name) pairs from `TYPE NAME...` or `TYPE/NAME ...`."""
    if not words:
        raise CommandError(
            'error: you must specify the type of resource to get. Use "kubectl api-resources" '
            "for a complete list of supported resources."
        )
    out = []
    if "/" in words[0]:
        for w in words:
            if "/" not in w:
                raise CommandError(
                    "error: there is no need to specify a resource type as a separate argument when "
                    "passing arguments in resource/name form"
                )
            t, _, n = w.partition("/")
            out.append((_resource(t), n))
        return out
    res = _resource(words[0])
    for n in words[1:]:
        out.append((res, n))
    return out


def _get_obj(c, res: Resource, ns: str, name: str) -> dict:
    obj = c.store.get(etcd_key(res, ns if res.namespaced else None, name))
    if obj is None:
        raise not_found(res, name)
    return obj


def _output_name(res: Resource, name: str, verb: str) -> str:
    return f"{res.name_prefix}/{name} {verb}"


def _load(stdin: str | None, args: Args) -> list[dict]:
    files = args.all("-f", "--filename")
    if not files:
        raise CommandError("error: must specify one of -f and -k")
    if files != ["-"]:
        raise CommandError(
            f'error: the path "{files[0]}" does not exist (this console reads manifests from '
            "standard input: use -f - and paste the YAML)"
        )
    try:
        return load_documents(stdin)
    except YamlError as exc:
        raise CommandError(exc.message, exc.to_dict()) from None


def _limit_replicas(c, objs: list[dict]) -> None:
    """Refuses requests that would ask for too many pods (per command and for the whole cluster)."""
    per = c.config["max_pods_per_request"]
    total_req = 0
    for o in objs:
        if o["kind"] in ("Deployment", "ReplicaSet"):
            r = o["spec"].get("replicas", 1)
            total_req += r if isinstance(r, int) else 0
        elif o["kind"] == "Pod":
            total_req += 1
        elif o["kind"] == "HorizontalPodAutoscaler":
            mx = o["spec"].get("maxReplicas", 0)
            if isinstance(mx, int) and mx > per:
                raise CommandError(
                    f"error: maxReplicas {mx} is over the simulator's limit of {per} pods per object"
                )
    if total_req > per:
        raise CommandError(
            f"error: this request asks for {total_req} pods; the simulator allows at most {per} "
            "pods per command"
        )
    _check_cluster_total(c, objs)


def _check_cluster_total(c, objs: list[dict]) -> None:
    limit = c.config["max_pods"]
    desired = c.desired_pods()
    for o in objs:
        key = (o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"])
        if o["kind"] in ("Deployment", "ReplicaSet") and not o["metadata"].get("ownerReferences"):
            desired[key] = (
                o["spec"].get("replicas", 1) if isinstance(o["spec"].get("replicas", 1), int) else 0
            )
        elif o["kind"] == "Pod" and not o["metadata"].get("ownerReferences"):
            desired[key] = 1
    total = sum(desired.values())
    if total > limit:
        raise CommandError(
            f"error: the cluster would run {total} pods; this simulator allows at most {limit}"
        )


def _merge_for_apply(live: dict, new: dict) -> dict:
    """Returns the object apply would store: the submitted config over the live one (3-way merge, simplified)."""
    merged = clone(new)
    meta, lmeta = merged["metadata"], live["metadata"]
    for f in ("uid", "creationTimestamp", "generation", "resourceVersion", "ownerReferences"):
        if f in lmeta:
            meta[f] = lmeta[f]
    last = {}
    try:
        last = json.loads(
            (lmeta.get("annotations") or {}).get("kubectl.kubernetes.io/last-applied-configuration", "{}")
        )
    except ValueError:
        last = {}
    ann = dict(lmeta.get("annotations") or {})
    for k in last.get("metadata", {}).get("annotations") or {}:
        ann.pop(k, None)
    ann.update(meta.get("annotations") or {})
    if ann:
        meta["annotations"] = ann
    if "status" in live:
        merged["status"] = live["status"]
    spec, lspec = merged.get("spec"), live.get("spec")
    if isinstance(spec, dict) and isinstance(lspec, dict):
        # Fields the last applied config did not set stay as others (e.g. the HPA) set them.
        last_spec = last.get("spec") or {}
        for f in ("replicas",):
            if f in lspec and f not in (new.get("spec") or {}) and f not in last_spec:
                spec[f] = lspec[f]
        if live["kind"] == "Service":
            for f in (
                "clusterIP",
                "clusterIPs",
                "ipFamilies",
                "ipFamilyPolicy",
                "internalTrafficPolicy",
                "externalTrafficPolicy",
            ):
                if f in lspec and f not in spec:
                    spec[f] = lspec[f]
            lports = {p.get("port"): p for p in lspec.get("ports") or []}
            for p in spec.get("ports") or []:
                lp = lports.get(p.get("port"))
                if (
                    lp
                    and lp.get("nodePort")
                    and "nodePort" not in p
                    and spec.get("type") == lspec.get("type")
                ):
                    p["nodePort"] = lp["nodePort"]
        if live["kind"] == "PersistentVolumeClaim":
            for f in ("volumeName", "storageClassName"):
                if f in lspec and f not in spec:
                    spec[f] = lspec[f]
        if live["kind"] == "Pod":
            for f in ("nodeName", "tolerations"):
                if f in lspec:
                    spec[f] = lspec[f]
    return merged


def _last_applied(obj: dict) -> str:
    clean = clone(obj)
    clean.get("metadata", {}).get("annotations", {}).pop(
        "kubectl.kubernetes.io/last-applied-configuration", None
    )
    if not clean.get("metadata", {}).get("annotations"):
        clean.get("metadata", {}).pop("annotations", None)
    return json.dumps(clean, separators=(",", ":"), sort_keys=True)


def _immutable_change(c, live: dict, merged: dict) -> str | None:
    kind = live["kind"]
    if kind == "Deployment" and live["spec"].get("selector") != merged["spec"].get("selector"):
        return (
            f'The Deployment "{live["metadata"]["name"]}" is invalid: spec.selector: Invalid value: '
            f"{json.dumps(merged['spec'].get('selector'), separators=(',', ':'))}: field is immutable"
        )
    if kind == "Pod" and strip_none(live["spec"]) != strip_none(merged["spec"]):
        return (
            f'The Pod "{live["metadata"]["name"]}" is invalid: spec: Forbidden: pod updates may not change fields '
            "other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
            "`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
            "(allow it to be set to 1 if it was previously negative)"
        )
    if kind == "Secret" and live.get("immutable") and live.get("data") != merged.get("data"):
        return (
            f'The Secret "{live["metadata"]["name"]}" is invalid: data: Forbidden: field is immutable when '
            "`immutable` is set"
        )
    name = live["metadata"]["name"]
    if kind == "PersistentVolumeClaim":
        lspec, mspec = live["spec"], merged["spec"]
        if any(lspec.get(f) != mspec.get(f) for f in ("accessModes", "storageClassName", "volumeName")):
            return (
                f'The PersistentVolumeClaim "{name}" is invalid: spec: Forbidden: spec is immutable after creation '
                "except resources.requests and volumeAttributesClassName for bound claims"
            )
        try:
            old_req = parse_bytes(lspec["resources"]["requests"]["storage"])
            new_req = parse_bytes(mspec["resources"]["requests"]["storage"])
            capacity = (live.get("status") or {}).get("capacity", {}).get("storage")
            capacity = parse_bytes(capacity) if capacity is not None else old_req
        except (KeyError, TypeError, ValueError):
            return None
        if new_req < capacity:
            return (
                f'The PersistentVolumeClaim "{name}" is invalid: spec.resources.requests.storage: Forbidden: '
                "field can not be less than status.capacity"
            )
        if new_req > old_req:
            sc = (
                c.api.get("StorageClass", None, lspec.get("storageClassName") or "")
                if lspec.get("storageClassName")
                else None
            )
            if sc is None or not sc.get("allowVolumeExpansion"):
                return (
                    f'The PersistentVolumeClaim "{name}" is invalid: spec: Forbidden: only dynamically provisioned '
                    "pvc can be resized and the storageclass that provisions the pvc must support resize"
                )
    if kind == "Service":
        old_ip, new_ip = live["spec"].get("clusterIP"), merged["spec"].get("clusterIP")
        if old_ip and new_ip and old_ip != new_ip:
            return (
                f'The Service "{name}" is invalid: spec.clusterIPs[0]: Invalid value: ["{new_ip}"]: may not change '
                "once set"
            )
    return None


def strip_none(spec: dict) -> dict:
    """Returns a pod spec without the fields a pod update may change (images)."""
    s = clone(spec)
    for ctr in s.get("containers") or []:
        ctr.pop("image", None)
    return s


def _same(live: dict, merged: dict) -> bool:
    def view(o):
        return {k: v for k, v in o.items() if k not in ("status",)} | {
            "metadata": {k: v for k, v in o["metadata"].items() if k in ("labels", "annotations")}
        }

    return view(live) == view(merged)


# ---------------------------------------------------------------------------------------------- apply / create
def _cmd_apply(c, args: Args, stdin) -> str:
    docs = _load(stdin, args)
    dry = args.get("--dry-run")
    if dry not in (None, "none", "server", "client"):
        raise CommandError(f'error: Invalid dry-run value ({dry}). Must be "none", "server", or "client".')
    admitted = [c.api.admit(d) for d in docs]
    _limit_replicas(c, admitted)
    plan = []
    for obj in admitted:
        res = BY_KIND[obj["kind"]]
        ns = obj["metadata"].get("namespace")
        if res.namespaced:
            c.api.check_namespace(ns)
        live = c.store.get(etcd_key(res, ns, obj["metadata"]["name"]))
        obj["metadata"].setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = (
            _last_applied(obj)
        )
        if live is None:
            plan.append(("created", res, obj, None))
            continue
        merged = _merge_for_apply(live, obj)
        problem = _immutable_change(c, live, merged)
        if problem:
            raise ApiError(problem, "Invalid", 422)
        plan.append(("unchanged" if _same(live, merged) else "configured", res, merged, live))
    suffix = {"server": " (server dry run)", "client": " (dry run)"}.get(dry or "", "")
    lines = []
    for verb, res, obj, live in plan:
        if not suffix:
            if verb == "created":
                c.api.create(obj, "kubectl", user=True)
            elif verb == "configured":
                obj["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
                c.api.update(obj, "kubectl", user=True, verb="apply")
        if live is not None and "kubectl.kubernetes.io/last-applied-configuration" not in (
            live["metadata"].get("annotations") or {}
        ):
            lines.append(
                f"Warning: resource {res.qualified}/{obj['metadata']['name']} is missing the "
                "kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. "
                "kubectl apply should only be used on resources created declaratively by either kubectl create "
                "--save-config or kubectl apply. The missing annotation will be patched automatically."
            )
        lines.append(_output_name(res, obj["metadata"]["name"], verb) + suffix)
    return "\n".join(lines)


def _cmd_diff(c, args: Args, stdin) -> str:
    docs = _load(stdin, args)
    out = []
    for d in docs:
        obj = c.api.admit(d)
        res = BY_KIND[obj["kind"]]
        live = c.store.get(etcd_key(res, obj["metadata"].get("namespace"), obj["metadata"]["name"]))
        merged = obj if live is None else _merge_for_apply(live, obj)
        strip = ("status",)
        a = (
            printers.to_yaml({k: v for k, v in (live or {}).items() if k not in strip}).splitlines()
            if live
            else []
        )
        b = printers.to_yaml({k: v for k, v in merged.items() if k not in strip}).splitlines()
        name = (
            f"{res.group + '.' if res.group else ''}{obj['apiVersion'].split('/')[-1]}.{obj['kind']}."
            f"{obj['metadata'].get('namespace', '')}.{obj['metadata']['name']}"
        )
        out.extend(difflib.unified_diff(a, b, f"/tmp/LIVE/{name}", f"/tmp/MERGED/{name}", lineterm=""))
    return "\n".join(out)


def _cmd_create(c, args: Args, stdin) -> str:
    if args.has("-f", "--filename"):
        docs = _load(stdin, args)
        admitted = [c.api.admit(d) for d in docs]
        _limit_replicas(c, admitted)
        for obj in admitted:
            res = BY_KIND[obj["kind"]]
            if (
                c.store.get(etcd_key(res, obj["metadata"].get("namespace"), obj["metadata"]["name"]))
                is not None
            ):
                raise ApiError(
                    f'Error from server (AlreadyExists): error when creating "STDIN": {res.qualified} '
                    f'"{obj["metadata"]["name"]}" already exists',
                    "AlreadyExists",
                    409,
                )
        lines = []
        for obj in admitted:
            created = c.api.create(obj, "kubectl", user=True)
            lines.append(_output_name(BY_KIND[created["kind"]], created["metadata"]["name"], "created"))
        return "\n".join(lines)
    pos = args.positional
    if not pos:
        raise CommandError("error: must specify one of -f and -k")
    what = pos[0]
    ns = _ns(args)
    if what in ("deployment", "deploy"):
        if len(pos) < 2:
            raise CommandError("error: exactly one NAME is required, got 0")
        image = args.get("--image")
        if not image:
            raise CommandError('error: required flag(s) "image" not set')
        replicas = args.int("--replicas", default=1, minimum=0)
        obj = _deployment(pos[1], ns, image, replicas, args.int("--port"))
    elif what in ("service", "svc"):
        if len(pos) < 3:
            raise CommandError(
                "error: exactly one NAME is required, got 0"
                if len(pos) < 2
                else "error: kubectl create service needs a type: clusterip, nodeport or loadbalancer"
            )
        stype = {"clusterip": "ClusterIP", "nodeport": "NodePort", "loadbalancer": "LoadBalancer"}.get(pos[1])
        if stype is None:
            raise CommandError(
                f'error: unknown service type "{pos[1]}" (use clusterip, nodeport or loadbalancer)'
            )
        name = pos[2]
        ports = []
        for spec in args.all("--tcp") or []:
            port, _, target = spec.partition(":")
            try:
                ports.append(
                    {
                        "name": f"{port}-{target or port}",
                        "port": int(port),
                        "protocol": "TCP",
                        "targetPort": int(target or port),
                    }
                )
            except ValueError:
                raise CommandError(
                    f"error: invalid --tcp value {spec!r}: expected port[:targetPort]"
                ) from None
        if not ports:
            raise CommandError("error: at least one tcp port specifier must be provided")
        obj = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
            "spec": {"type": stype, "selector": {"app": name}, "ports": ports},
        }
    elif what == "secret":
        if len(pos) < 3 or pos[1] != "generic":
            raise CommandError(
                "error: the simulator supports `kubectl create secret generic NAME --from-literal=key=value`"
            )
        data = {}
        for lit in args.all("--from-literal"):
            k, eq, v = lit.partition("=")
            if not eq or not k:
                raise CommandError(f"error: invalid literal source {lit}, expected key=value")
            if k in data:
                raise CommandError(
                    f"error: cannot add key {k}, another key by that name already exists in Data "
                    'for Secret "' + pos[2] + '"'
                )
            data[k] = base64.b64encode(v.encode()).decode()
        obj = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": pos[2], "namespace": ns},
            "type": args.get("--type", default="Opaque"),
            "data": data,
        }
    elif what in ("configmap", "cm"):
        if len(pos) < 2:
            raise CommandError("error: exactly one NAME is required, got 0")
        data = {}
        for lit in args.all("--from-literal"):
            k, eq, v = lit.partition("=")
            if not eq or not k:
                raise CommandError(f"error: invalid literal source {lit}, expected key=value")
            data[k] = v
        obj = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": pos[1], "namespace": ns},
            "data": data,
        }
    elif what in ("namespace", "ns"):
        if len(pos) < 2:
            raise CommandError("error: exactly one NAME is required, got 0")
        obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": pos[1]}}
    else:
        raise CommandError(
            f'error: unknown resource for create: "{what}" (try deployment, service, secret generic, '
            "configmap, namespace or -f -)"
        )
    obj = c.api.admit(obj, source="")
    _limit_replicas(c, [obj])
    if args.get("--dry-run") in ("client", "server"):
        return _output_name(BY_KIND[obj["kind"]], obj["metadata"]["name"], "created") + " (dry run)"
    created = c.api.create(obj, "kubectl", user=True)
    return _output_name(BY_KIND[created["kind"]], created["metadata"]["name"], "created")


def _container_name(image: str) -> str:
    ref = parse_image(image)
    base = (
        image.rsplit("/", 1)[-1].split(":")[0].split("@")[0]
        if isinstance(ref, str)
        else ref.repository.rsplit("/", 1)[-1]
    )
    return "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in base.lower()).strip("-") or "app"


def _deployment(name: str, ns: str, image: str, replicas: int, port: int | None) -> dict:
    ctr = {"name": _container_name(image), "image": image, "resources": {}}
    if port:
        ctr["ports"] = [{"containerPort": port}]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [ctr]}},
        },
    }


def _cmd_run(c, args: Args, stdin) -> str:
    if not args.positional:
        raise CommandError("error: NAME is required for run")
    name = args.positional[0]
    image = args.get("--image")
    if not image:
        raise CommandError('error: required flag(s) "image" not set')
    restart = args.get("--restart", default="Always")
    if restart not in ("Always", "OnFailure", "Never"):
        raise CommandError(f"error: invalid restart policy: {restart}")
    labels = {"run": name}
    if args.get("--labels"):
        labels = dict(kv.split("=", 1) for kv in args.get("--labels").split(",") if "=" in kv)
    ctr = {"name": name, "image": image, "resources": {}}
    if args.int("--port"):
        ctr["ports"] = [{"containerPort": args.int("--port")}]
    envs = [
        {"name": e.split("=", 1)[0], "value": e.split("=", 1)[1] if "=" in e else ""}
        for e in args.all("--env")
    ]
    if envs:
        ctr["env"] = envs
    command = args.rest or args.positional[1:]
    if command:
        ctr["command" if args.rest else "args"] = command
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": _ns(args), "labels": labels},
        "spec": {"containers": [ctr], "restartPolicy": restart},
    }
    pod = c.api.admit(pod, source="")
    _limit_replicas(c, [pod])
    if args.get("--dry-run") in ("client", "server"):
        return f"pod/{name} created (dry run)"
    c.api.create(pod, "kubectl", user=True)
    return f"pod/{name} created"


# ---------------------------------------------------------------------------------------------- get
def _select(objs: list[dict], args: Args) -> list[dict]:
    sel = args.get("-l", "--selector")
    if not sel:
        return objs
    try:
        reqs = parse_selector(sel)
    except ValueError as exc:
        raise CommandError(f"error: {exc}") from None
    return [o for o in objs if matches(reqs, o["metadata"].get("labels"))]


def _cmd_get(c, args: Args, stdin) -> str:
    if not args.positional:
        raise CommandError(
            'error: you must specify the type of resource to get. Use "kubectl api-resources" '
            "for a complete list of supported resources."
        )
    out_fmt = args.get("-o", "--output", default="")
    if out_fmt not in ("", "wide", "yaml", "json", "name"):
        raise CommandError(
            f'error: unable to match a printer suitable for the output format "{out_fmt}", allowed '
            "formats are: json,name,wide,yaml"
        )
    all_ns = args.has("-A", "--all-namespaces")
    ns = None if all_ns else _ns(args)
    if args.positional[0] in ("events", "event", "ev"):
        return _events_table(c, ns)
    if "/" in args.positional[0]:
        groups = {}
        for res, name in _targets(c, args, args.positional):
            groups.setdefault(res.kind, []).append(name)
        kinds = [(BY_KIND[k], names) for k, names in groups.items()]
    else:
        words = args.positional[0].split(",")
        kinds = []
        for w in words:
            if w == "all":
                kinds += [(BY_KIND[k], []) for k in GET_ALL]
            else:
                kinds.append((_resource(w), args.positional[1:]))
    multi = len(kinds) > 1
    sections, items, errors = [], [], []
    for res, names in kinds:
        if names:
            objs = []
            for n in names:
                obj = c.store.get(etcd_key(res, ns or "default" if res.namespaced else None, n))
                if obj is None:
                    errors.append(str(not_found(res, n)))
                else:
                    objs.append(obj)
        else:
            objs = c.store.list(res.kind, ns if res.namespaced else None)
            if res.kind == "Endpoints":
                objs = [o for o in objs]
            objs = _select(objs, args)
            objs.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        items.extend(objs)
        if out_fmt in ("yaml", "json", "name"):
            continue
        if not objs:
            continue
        headers, rows = printers.rows_for(res.kind, objs, c.clock.now, out_fmt == "wide", all_ns, c)
        if multi or (len(args.positional) == 1 and args.positional[0] == "all"):
            col = 1 if all_ns and res.namespaced else 0
            for r in rows:
                r[col] = f"{res.name_prefix}/{r[col]}"
        if args.has("--show-labels"):
            headers = headers + ["LABELS"]
            rows = [
                r + [",".join(f"{k}={v}" for k, v in (o["metadata"].get("labels") or {}).items()) or "<none>"]
                for r, o in zip(rows, objs, strict=False)
            ]
        sections.append(printers.table(headers, rows))
    if errors and not items:
        raise CommandError("\n".join(errors))
    if out_fmt == "name":
        text = "\n".join(f"{BY_KIND[o['kind']].name_prefix}/{o['metadata']['name']}" for o in items)
    elif out_fmt in ("yaml", "json"):
        single = len(kinds) == 1 and len(kinds[0][1]) == 1 and len(items) == 1
        data = items[0] if single else printers.as_list(items)
        text = printers.to_yaml(data) if out_fmt == "yaml" else printers.to_json(data)
    elif not sections:
        text = "No resources found" + (
            f" in {ns} namespace." if ns and any(r.namespaced for r, _ in kinds) else "."
        )
    else:
        text = "\n\n".join(sections)
    if errors:
        text = text + "\n" + "\n".join(errors)
        raise CommandError(text)
    return text


def _events_table(c, ns: str | None) -> str:
    evs = [e for e in c.events if not e.get("synthetic") and (ns is None or e.get("namespace") in (ns, ""))]
    if not evs:
        return f"No resources found in {ns} namespace." if ns else "No resources found"
    rows = [
        [human_duration(c.clock.now - e["time"]), e["type"], e["reason"], e["object"], e["message"]]
        for e in evs[-100:]
    ]
    return printers.table(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], rows)


# ---------------------------------------------------------------------------------------------- describe
def _cmd_describe(c, args: Args, stdin) -> str:
    from .describe import describe

    ns = _ns(args)
    pos = args.positional
    if not pos:
        raise CommandError(
            'error: You must specify the type of resource to describe. Use "kubectl api-resources" '
            "for a complete list of supported resources."
        )
    if "/" not in pos[0] and len(pos) == 1:
        res = _resource(pos[0])
        objs = _select(c.store.list(res.kind, ns if res.namespaced else None), args)
        if not objs:
            return f"No resources found in {ns} namespace."
        return "\n\n".join(describe(c, o) for o in objs)
    out = []
    for res, name in _targets(c, args, pos):
        out.append(describe(c, _get_obj(c, res, ns, name)))
    return "\n\n".join(out)


# ---------------------------------------------------------------------------------------------- delete
def _cmd_delete(c, args: Args, stdin) -> str:
    ns = _ns(args)
    grace = args.int("--grace-period", default=-1)
    force = args.has("--force") and grace == 0
    if args.has("--force") and grace != 0:
        grace = 0
        force = True
    cascade = args.get("--cascade", default="background")
    if cascade not in ("background", "foreground", "orphan", "true", "false"):
        raise CommandError(
            f'error: invalid cascade value ({cascade}). Must be "background", "foreground", or "orphan".'
        )
    targets: list[dict] = []
    if args.has("-f", "--filename"):
        for d in _load(stdin, args):
            obj = c.api.admit(d)
            res = BY_KIND[obj["kind"]]
            targets.append(_get_obj(c, res, obj["metadata"].get("namespace"), obj["metadata"]["name"]))
    elif args.positional and "/" not in args.positional[0] and (len(args.positional) == 1):
        res = _resource(args.positional[0])
        if not (args.has("--all") or args.get("-l", "--selector")):
            raise CommandError("error: resource(s) were provided, but no name was specified")
        targets = _select(c.store.list(res.kind, ns if res.namespaced else None), args)
        if res.kind == "Service":
            targets = [
                t for t in targets if t["metadata"]["name"] != "kubernetes" or args.get("-l", "--selector")
            ]
        if res.kind in ("Node", "Namespace"):
            raise CommandError(f"error: deleting {res.plural} is not supported by the simulator")
    else:
        errors = []
        for res, name in _targets(c, args, args.positional):
            if res.kind in ("Node", "Namespace") and name in ("default", "kube-system") or res.kind == "Node":
                raise CommandError(
                    f'error: deleting {res.kind.lower()} "{name}" is not supported by the simulator '
                    "(use `sim fail-node` to break a node)"
                )
            obj = c.store.get(etcd_key(res, ns if res.namespaced else None, name))
            if obj is None:
                errors.append(str(not_found(res, name)))
            else:
                targets.append(obj)
        if errors:
            raise CommandError("\n".join(errors))
    if not targets:
        return f"No resources found in {ns} namespace." if not args.has("-f") else "No resources found"
    lines = []
    if force:
        lines.append(
            "Warning: Immediate deletion does not wait for confirmation that the running resource has been "
            "terminated. The resource may continue to run on the cluster indefinitely."
        )
    for obj in targets:
        res = BY_KIND[obj["kind"]]
        cur = c.store.get(etcd_key(res, obj["metadata"].get("namespace"), obj["metadata"]["name"]))
        if cur is None:
            continue
        if cascade in ("orphan", "false"):
            for child in c.store.owned(cur["metadata"]["uid"]):
                upd = clone(child)
                upd["metadata"]["ownerReferences"] = [
                    o
                    for o in upd["metadata"].get("ownerReferences", [])
                    if o.get("uid") != cur["metadata"]["uid"]
                ]
                if not upd["metadata"]["ownerReferences"]:
                    upd["metadata"].pop("ownerReferences")
                c.api.update(upd, "kubectl")
        if obj["kind"] == "Pod" and force:
            c.api.delete(cur, "kubectl", user=True, force=True)
            lines.append(f'pod "{obj["metadata"]["name"]}" force deleted')
            continue
        c.api.delete(cur, "kubectl", user=True, grace=grace)
        if obj["kind"] == "HorizontalPodAutoscaler":
            c.hpa_history.pop(etcd_key(res, obj["metadata"]["namespace"], obj["metadata"]["name"]), None)
        lines.append(f'{res.name_prefix} "{obj["metadata"]["name"]}" deleted')
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- scale / set
def _one_target(c, args: Args, words: list[str], kinds: tuple[str, ...]) -> tuple[Resource, dict]:
    targets = _targets(c, args, words)
    if len(targets) != 1:
        raise CommandError("error: exactly one resource is required")
    res, name = targets[0]
    if res.kind not in kinds:
        raise CommandError(
            f'error: no scaler has been implemented for {{"{res.group}" "{res.kind}"}}'
            if "Deployment" in kinds
            else f"error: {res.kind.lower()} is not supported here"
        )
    return res, _get_obj(c, res, _ns(args), name)


def _cmd_scale(c, args: Args, stdin) -> str:
    replicas = args.int("--replicas")
    if replicas is None:
        raise CommandError('error: required flag(s) "replicas" not set')
    if replicas < 0:
        raise CommandError(
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
        )
    res, obj = _one_target(c, args, args.positional, ("Deployment", "ReplicaSet"))
    if replicas > c.config["max_pods_per_request"]:
        raise CommandError(
            f"error: the simulator allows at most {c.config['max_pods_per_request']} replicas per object"
        )
    cur_rep = args.int("--current-replicas")
    if cur_rep is not None and cur_rep != obj["spec"].get("replicas"):
        raise CommandError(f"error: Expected replicas to be {cur_rep}, was {obj['spec'].get('replicas')}")
    upd = clone(obj)
    upd["spec"]["replicas"] = replicas
    _check_cluster_total(c, [upd])
    c.api.update(upd, "kubectl", user=True, verb="scale")
    return _output_name(res, obj["metadata"]["name"], "scaled")


def _cmd_set(c, args: Args, stdin) -> str:
    if not args.positional or args.positional[0] != "image":
        raise CommandError(
            "error: the simulator supports `kubectl set image deployment/NAME CONTAINER=IMAGE`"
        )
    words = args.positional[1:]
    pairs = [w for w in words if "=" in w]
    refs = [w for w in words if "=" not in w]
    if not pairs:
        raise CommandError("error: at least one image update is required")
    res, obj = _one_target(c, args, refs, ("Deployment", "ReplicaSet", "Pod"))
    upd = clone(obj)
    spec = upd["spec"] if res.kind == "Pod" else upd["spec"]["template"]["spec"]
    for pair in pairs:
        cname, _, image = pair.partition("=")
        if not image:
            raise CommandError(f"error: invalid image update {pair!r}")
        hit = False
        for ctr in spec["containers"]:
            if cname in ("*", ctr["name"]):
                ctr["image"] = image
                hit = True
        if not hit:
            raise CommandError(f'error: unable to find container named "{cname}"')
    if upd == obj:
        return _output_name(res, obj["metadata"]["name"], "image updated")
    if args.has("--record"):
        upd["metadata"].setdefault("annotations", {})[CHANGE_CAUSE] = (
            "kubectl set image " + " ".join(words) + " --record=true"
        )
    c.api.update(upd, "kubectl", user=True, verb="set image")
    return _output_name(res, obj["metadata"]["name"], "image updated")


# ---------------------------------------------------------------------------------------------- rollout
def _cmd_rollout(c, args: Args, stdin) -> str:
    pos = args.positional
    subs = ("status", "history", "undo", "pause", "resume", "restart")
    if not pos or pos[0] not in subs:
        guess = did_you_mean(pos[0], subs) if pos else []
        hint = ("\n\nDid you mean this?\n" + "\n".join(f"\t{g}" for g in guess)) if guess else ""
        raise CommandError(
            f'error: unknown command "{pos[0] if pos else ""}" for "kubectl rollout"{hint}'
            if pos
            else "error: rollout needs a subcommand: " + ", ".join(subs)
        )
    sub = pos[0]
    res, d = _one_target(c, args, pos[1:], ("Deployment",))
    name = d["metadata"]["name"]
    if sub == "status":
        return _rollout_status(c, d)
    rses = c.store.owned(d["metadata"]["uid"], "ReplicaSet")
    if sub == "history":
        if not rses:
            return "No rollout history found."
        want = args.int("--revision", default=0)
        by_rev = {revision_of(r): r for r in rses}
        if want:
            rs = by_rev.get(want)
            if rs is None:
                raise CommandError("error: unable to find the specified revision")
            from .describe import template_lines

            return f"deployment.apps/{name} with revision #{want}\n" + "\n".join(
                template_lines(rs["spec"]["template"])
            )
        rows = [
            [str(rev), (by_rev[rev]["metadata"].get("annotations") or {}).get(CHANGE_CAUSE, "<none>")]
            for rev in sorted(by_rev)
        ]
        return f"deployment.apps/{name} \n" + printers.table(["REVISION", "CHANGE-CAUSE"], rows)
    if sub == "undo":
        if d["spec"].get("paused"):
            raise CommandError(
                "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout "
                "resume' and try again"
            )
        by_rev = {revision_of(r): r for r in rses}
        to = args.int("--to-revision", default=0)
        if to:
            target = by_rev.get(to)
            if target is None:
                raise CommandError(f"error: unable to find specified revision {to} in history")
        else:
            revs = sorted(by_rev)
            if len(revs) < 2:
                raise CommandError(f'error: no rollout history found for deployment "{name}"')
            to = revs[-2]
            target = by_rev[to]
        tmpl = strip_hash(target["spec"]["template"])
        if strip_hash(d["spec"]["template"]) == tmpl:
            return f"deployment.apps/{name} skipped rollback (current template already matches revision {to})"
        upd = clone(d)
        upd["spec"]["template"] = tmpl
        cause = (target["metadata"].get("annotations") or {}).get(CHANGE_CAUSE)
        ann = upd["metadata"].setdefault("annotations", {})
        if cause:
            ann[CHANGE_CAUSE] = cause
        else:
            ann.pop(CHANGE_CAUSE, None)
        c.api.update(upd, "kubectl", user=True, verb="rollout undo")
        return f"deployment.apps/{name} rolled back"
    if sub in ("pause", "resume"):
        paused = sub == "pause"
        if bool(d["spec"].get("paused")) == paused:
            return f"deployment.apps/{name} already {'paused' if paused else 'resumed'}"
        upd = clone(d)
        if paused:
            upd["spec"]["paused"] = True
        else:
            upd["spec"].pop("paused", None)
        c.api.update(upd, "kubectl", user=True, verb=f"rollout {sub}")
        return f"deployment.apps/{name} {'paused' if paused else 'resumed'}"
    if d["spec"].get("paused"):
        raise CommandError(
            f'error: deployments.apps "{name}" can\'t restart paused deployment (run rollout resume first)'
        )
    upd = clone(d)
    upd["spec"]["template"].setdefault("metadata", {}).setdefault("annotations", {})[
        "kubectl.kubernetes.io/restartedAt"
    ] = stamp(c.clock.now).replace("Z", "+00:00")
    c.api.update(upd, "kubectl", user=True, verb="rollout restart")
    return f"deployment.apps/{name} restarted"


def _rollout_status(c, d: dict) -> str:
    name = d["metadata"]["name"]
    st = d.get("status") or {}
    replicas = d["spec"].get("replicas", 1)
    if d["metadata"].get("generation", 1) > st.get("observedGeneration", 0):
        return "Waiting for deployment spec update to be observed..."
    cond = next((cd for cd in st.get("conditions", ()) if cd["type"] == "Progressing"), None)
    if cond and cond.get("reason") == "ProgressDeadlineExceeded":
        raise CommandError(f'error: deployment "{name}" exceeded its progress deadline')
    updated, total, available = (
        st.get("updatedReplicas", 0),
        st.get("replicas", 0),
        st.get("availableReplicas", 0),
    )
    if updated < replicas:
        return (
            f'Waiting for deployment "{name}" rollout to finish: {updated} out of {replicas} new replicas have '
            "been updated..."
        )
    if total > updated:
        return f'Waiting for deployment "{name}" rollout to finish: {total - updated} old replicas are pending termination...'
    if available < updated:
        return f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} updated replicas are available...'
    return f'deployment "{name}" successfully rolled out'


# ---------------------------------------------------------------------------------------------- expose / autoscale
def _cmd_expose(c, args: Args, stdin) -> str:
    res, obj = _one_target(c, args, args.positional, ("Deployment", "ReplicaSet", "Pod", "Service"))
    if res.kind == "Pod":
        selector = dict(obj["metadata"].get("labels") or {})
        ctrs = obj["spec"]["containers"]
    elif res.kind == "Service":
        selector = dict(obj["spec"].get("selector") or {})
        ctrs = []
    else:
        selector = dict((obj["spec"].get("selector") or {}).get("matchLabels") or {})
        ctrs = obj["spec"]["template"]["spec"]["containers"]
    if not selector:
        raise CommandError(
            f"error: couldn't retrieve selectors via --selector flag or introspection: the "
            f"{res.kind.lower()} has no matchLabels"
        )
    port = args.int("--port")
    if port is None:
        for ctr in ctrs:
            for p in ctr.get("ports") or []:
                port = p.get("containerPort")
                break
            if port:
                break
    if port is None:
        raise CommandError(
            "error: couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for "
            "help and examples"
        )
    target = args.get("--target-port", default=str(port))
    target_port = int(target) if target.isdigit() else target
    stype = args.get("--type", default="ClusterIP")
    if stype not in ("ClusterIP", "NodePort", "LoadBalancer"):
        raise CommandError(
            f'error: Service type "{stype}" is not supported (ClusterIP, NodePort, LoadBalancer)'
        )
    name = args.get("--name", default=obj["metadata"]["name"])
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": name,
            "namespace": obj["metadata"]["namespace"],
            "labels": dict(obj["metadata"].get("labels") or {}),
        },
        "spec": {
            "type": stype,
            "selector": selector,
            "ports": [{"port": port, "protocol": "TCP", "targetPort": target_port}],
        },
    }
    svc = c.api.admit(svc, source="")
    c.api.create(svc, "kubectl", user=True)
    return f"service/{name} exposed"


def _cmd_autoscale(c, args: Args, stdin) -> str:
    res, obj = _one_target(c, args, args.positional, ("Deployment", "ReplicaSet"))
    mx = args.int("--max")
    mn = args.int("--min", default=1)
    if mx is None or mx < 1:
        raise CommandError(f"error: --max=MAXPODS is required and must be at least 1, max: {mx or 0}")
    if mn is not None and mx < mn:
        raise CommandError(
            f"error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: {mx}, min: {mn}"
        )
    cpu = args.get("--cpu", "--cpu-percent", default="80")
    try:
        pct = int(cpu.rstrip("%"))
    except ValueError:
        raise CommandError(f'error: invalid argument "{cpu}" for "--cpu" flag') from None
    name = args.get("--name", default=obj["metadata"]["name"])
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "namespace": obj["metadata"]["namespace"]},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": res.kind, "name": obj["metadata"]["name"]},
            "minReplicas": mn,
            "maxReplicas": mx,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": pct}},
                }
            ],
        },
    }
    hpa = c.api.admit(hpa, source="")
    _limit_replicas(c, [hpa])
    c.api.create(hpa, "kubectl", user=True)
    return f"horizontalpodautoscaler.autoscaling/{name} autoscaled"


# ---------------------------------------------------------------------------------------------- nodes
def _node(c, args: Args) -> dict:
    if len(args.positional) != 1:
        raise CommandError("error: USAGE: cordon NODE [flags]")
    name = args.positional[0].removeprefix("node/").removeprefix("nodes/")
    node = c.api.get("Node", None, name)
    if node is None:
        raise CommandError(f'Error from server (NotFound): nodes "{name}" not found')
    return node


def _cordon(c, node: dict, on: bool) -> str:
    name = node["metadata"]["name"]
    if bool(node["spec"].get("unschedulable")) == on:
        return f"node/{name} already {'cordoned' if on else 'uncordoned'}"
    upd = clone(node)
    if on:
        upd["spec"]["unschedulable"] = True
    else:
        upd["spec"].pop("unschedulable", None)
    c.api.update(upd, "kubectl", user=True, verb="cordon" if on else "uncordon")
    return f"node/{name} {'cordoned' if on else 'uncordoned'}"


def _cmd_cordon(c, args: Args, stdin) -> str:
    return _cordon(c, _node(c, args), True)


def _cmd_uncordon(c, args: Args, stdin) -> str:
    return _cordon(c, _node(c, args), False)


def _cmd_drain(c, args: Args, stdin) -> str:
    node = _node(c, args)
    name = node["metadata"]["name"]
    pods = [p for p in c.store.pods_on(name) if not p["metadata"].get("deletionTimestamp")]
    bare = [p for p in pods if not p["metadata"].get("ownerReferences")]
    local = [p for p in pods if any("emptyDir" in v for v in p["spec"].get("volumes") or [])]
    problems = []
    if bare and not args.has("--force"):
        problems.append(
            "cannot delete Pods that declare no controller (use --force to override): "
            + ", ".join(f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in bare)
        )
    if local and not args.has("--delete-emptydir-data"):
        problems.append(
            "cannot delete Pods with local storage (use --delete-emptydir-data to override): "
            + ", ".join(f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in local)
        )
    if problems:
        raise CommandError(
            f'node/{name} cordoned\nerror: unable to drain node "{name}" due to error: '
            + ", ".join(problems)
            + ", continuing command...\nThere are pending nodes to be drained:\n "
            + name
            + "\n"
            + "\n".join(f"error: {p}" for p in problems)
        )
    lines = [_cordon(c, node, True)]
    if bare:
        lines.append(
            "Warning: deleting Pods that declare no controller: "
            + ", ".join(f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in bare)
        )
    for p in pods:
        lines.append(f"evicting pod {p['metadata']['namespace']}/{p['metadata']['name']}")
    for p in pods:
        c.api.delete(p, "kubectl", user=True)
        lines.append(f"pod/{p['metadata']['name']} evicted")
    lines.append(f"node/{name} drained")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- logs / exec
def _pod_for(c, args: Args, word: str) -> dict:
    ns = _ns(args)
    if "/" in word:
        t, _, n = word.partition("/")
        res = _resource(t)
        if res.kind == "Pod":
            return _get_obj(c, res, ns, n)
        obj = _get_obj(c, res, ns, n)
        sel = obj["spec"].get("selector") or {}
        sel = sel.get("matchLabels", sel) if isinstance(sel, dict) else {}
        pods = [p for p in c.store.pods_matching(ns, sel) if not p["metadata"].get("deletionTimestamp")]
        if not pods:
            raise CommandError(f"error: no pods found for {word}")
        return pods[0]
    return _get_obj(c, BY_KIND["Pod"], ns, word)


def _container_of(c, pod: dict, args: Args):
    cname = args.get("-c", "--container")
    names = [x["name"] for x in pod["spec"]["containers"]]
    names += [x["name"] for x in pod["spec"].get("initContainers") or []]
    if cname is None:
        annotated = (pod["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
        cname = annotated if annotated in names else names[0]
    elif cname not in names:
        raise CommandError(f"error: container {cname} is not valid for pod {pod['metadata']['name']}")
    node = pod["spec"].get("nodeName")
    rn = c.runtime.node(node) if node else None
    key = etcd_key(BY_KIND["Pod"], pod["metadata"]["namespace"], pod["metadata"]["name"])
    sb = rn["sandboxes"].get(key) if rn else None
    ctr = sb["containers"].get(cname) if sb else None
    return cname, sb, ctr


def _defaulted(pod: dict, args: Args) -> str:
    """Returns kubectl's `Defaulted container "x" out of: …` note (stderr) when a multi-container pod was given
    no -c and no kubectl.kubernetes.io/default-container annotation, else "".

    Source: kubectl pkg/cmd/util/podcmd FindOrDefaultContainerByName.
    """
    spec = pod["spec"]
    names = [x["name"] for x in spec["containers"]]
    inits = [x["name"] for x in spec.get("initContainers") or []]
    annotated = (pod["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
    if args.get("-c", "--container") is not None or annotated or len(names) + len(inits) < 2:
        return ""
    listed = ", ".join(names + [f"{n} (init)" for n in inits])
    return f'Defaulted container "{names[0]}" out of: {listed}\n'


def _cmd_logs(c, args: Args, stdin) -> str:
    if not args.positional:
        raise CommandError("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.")
    pod = _pod_for(c, args, args.positional[0])
    cname, sb, ctr = _container_of(c, pod, args)
    name = pod["metadata"]["name"]
    if ctr is None or not ctr.get("everStarted"):
        # The reason the API shows for the waiting container (PodInitializing while init containers run).
        st = pod.get("status") or {}
        shown = next(
            (
                (cs.get("state") or {}).get("waiting", {}).get("reason")
                for cs in (st.get("containerStatuses") or []) + (st.get("initContainerStatuses") or [])
                if cs.get("name") == cname
            ),
            None,
        )
        reason = shown or "ContainerCreating"
        if ctr and ctr.get("reason") and ctr["reason"] != "ContainerCreating":
            reason = ctr["reason"]
        raise CommandError(
            f'Error from server (BadRequest): container "{cname}" in pod "{name}" is waiting to start: '
            f"{'trying and failing to pull image' if 'Image' in reason else reason}"
        )
    from ..programs.machine import log_lines

    lines = log_lines(ctr["prevLogs"] if args.has("-p", "--previous") else ctr["logs"])
    if args.has("-p", "--previous") and not ctr["restartCount"]:
        raise CommandError(
            f'Error from server (BadRequest): previous terminated container "{cname}" in pod "{name}" '
            "not found"
        )
    tail = args.int("--tail", default=-1)
    if tail is not None and tail >= 0:
        lines = lines[-tail:] if tail else []
    return _defaulted(pod, args) + "\n".join(lines)


def _exec_id(pod: dict, now: float) -> str:
    """Returns a stable 64-hex exec session ID (not drawn from the cluster RNG: exec must change nothing)."""
    import hashlib

    return hashlib.sha256(f"{pod['metadata']['uid']}/{now}".encode()).hexdigest()


def _cmd_exec(c, args: Args, stdin) -> str:
    from .shell import run_shell

    if not args.positional:
        raise CommandError("error: pod, type/name or --filename must be specified")
    if not args.rest:
        raise CommandError("error: you must specify at least one command for the container")
    pod = _pod_for(c, args, args.positional[0])
    cname, sb, ctr = _container_of(c, pod, args)
    if ctr is None or ctr["state"] != "running":
        if pod.get("status", {}).get("phase") == "Pending" or ctr is None:
            raise CommandError('error: unable to upgrade connection: container not found ("' + cname + '")')
        raise CommandError(
            "error: Internal error occurred: error executing command in container: container is not running"
        )
    output, code = run_shell(c, pod, cname, sb, ctr, args.rest)
    if code == 126 and "executable file not found" in output:
        raise CommandError(
            "error: Internal error occurred: error executing command in container: failed to exec in container: "
            f'failed to start exec "{_exec_id(pod, c.clock.now)}": {output.strip()}'
        )
    note = _defaulted(pod, args)
    if code:
        raise CommandError(
            note + (output + "\n" if output else "") + f"command terminated with exit code {code}"
        )
    return note + output


# ---------------------------------------------------------------------------------------------- label / annotate
_PAST = {"labels": "labeled", "annotations": "annotated"}


def _meta_edit(c, args: Args, field: str) -> str:
    pos = args.positional
    pairs = [w for w in pos if "=" in w or w.endswith("-")]
    refs = [w for w in pos if w not in pairs]
    if not pairs:
        raise CommandError(f"error: at least one {field[:-1]} update is required")
    targets = _targets(c, args, refs)
    out = []
    for res, name in targets:
        obj = _get_obj(c, res, _ns(args), name)
        upd = clone(obj)
        values = upd["metadata"].setdefault(field, {})
        for p in pairs:
            if p.endswith("-") and "=" not in p:
                values.pop(p[:-1], None)
                continue
            k, _, v = p.partition("=")
            if k in values and values[k] != v and not args.has("--overwrite"):
                raise CommandError(
                    f"error: '{k}' already has a value ({values[k]}), and --overwrite is false"
                )
            values[k] = v
        if not values:
            upd["metadata"].pop(field)
        if upd == obj:
            out.append(f"{res.name_prefix}/{name} not {_PAST[field]}")
            continue
        c.api.update(upd, "kubectl", user=True, verb=field[:-1])
        out.append(f"{res.name_prefix}/{name} {_PAST[field]}")
    return "\n".join(out)


def _cmd_label(c, args: Args, stdin) -> str:
    return _meta_edit(c, args, "labels")


def _cmd_annotate(c, args: Args, stdin) -> str:
    return _meta_edit(c, args, "annotations")


# ---------------------------------------------------------------------------------------------- misc
def _cmd_version(c, args: Args, stdin) -> str:
    return "Client Version: v1.32.2\nKustomize Version: v5.5.0\nServer Version: v1.32.2"


def _cmd_cluster_info(c, args: Args, stdin) -> str:
    return (
        f"Kubernetes control plane is running at https://{c.node_ip('control-plane')}:6443\n"
        f"CoreDNS is running at https://{c.node_ip('control-plane')}:6443/api/v1/namespaces/kube-system/services/"
        "kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'."
    )


def _cmd_api_resources(c, args: Args, stdin) -> str:
    rows = [
        [r.plural, ",".join(r.short), r.api_version, str(r.namespaced).lower(), r.kind] for r in RESOURCES
    ]
    return printers.table(["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"], rows)


def _cmd_top(c, args: Args, stdin) -> str:
    what = args.positional[0] if args.positional else ""
    if what in ("pod", "pods", "po"):
        ns = _ns(args)
        rows = []
        for p in c.store.list("Pod", ns):
            if p.get("status", {}).get("phase") != "Running":
                continue
            usage = c.pod_cpu_usage(p)
            rows.append([p["metadata"]["name"], f"{int(usage)}m", "12Mi"])
        if not rows:
            return f"No resources found in {ns} namespace."
        return printers.table(["NAME", "CPU(cores)", "MEMORY(bytes)"], rows)
    if what in ("node", "nodes", "no"):
        rows = []
        for n in c.store.list("Node"):
            name = n["metadata"]["name"]
            used = sum(c.pod_cpu_usage(p) for p in c.store.pods_on(name)) + 80
            cap = int(n["status"]["capacity"]["cpu"]) * 1000
            rows.append([name, f"{int(used)}m", f"{int(used * 100 / cap)}%", "600Mi", "15%"])
        return printers.table(["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"], rows)
    raise CommandError("error: top needs `pods` or `nodes`")


def _cmd_explain(c, args: Args, stdin) -> str:
    if not args.positional:
        raise CommandError("error: You must specify the type of resource to explain.")
    res = _resource(args.positional[0].split(".")[0])
    return (
        f"GROUP:      {res.group}\nKIND:       {res.kind}\nVERSION:    {res.api_version.split('/')[-1]}\n\n"
        f"DESCRIPTION:\n    {res.kind} (simulated). See the lesson for the fields the simulator models."
    )


def _cmd_edit(c, args: Args, stdin) -> str:
    raise CommandError(
        "error: kubectl edit opens an interactive editor, which this console cannot do; use "
        "`kubectl apply -f -` with the changed YAML instead"
    )
