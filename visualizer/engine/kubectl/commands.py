"""kubectl verbs: apply, create, run, get, describe, delete, scale, set image, rollout, expose, autoscale, ...

Each verb validates its arguments before touching the cluster and then writes through the API server, so a
refused command changes nothing. Output strings copy kubectl (`deployment.apps/web created`,
`Error from server (NotFound): deployments.apps "x" not found`, `No resources found in default namespace.`).
"""

from __future__ import annotations

import difflib
import json
import random
import re

from .. import object_quota, selectors
from ..apiserver import ApiError, in_file, not_found
from ..clock import stamp
from ..controllers.daemonset import daemonset_pod
from ..controllers.deployment import CHANGE_CAUSE, revision_of, strip_hash
from ..objects import (
    BY_KIND,
    RESOURCES,
    Resource,
    clone,
    did_you_mean,
    etcd_key,
    lookup_resource,
    parse_bytes,
)
from ..wallclock import display_offset
from ..yaml_input import YamlError, load_documents
from . import events, generators, output_formats, printers
from .args import Args, CommandError, PartialFailure, parse, refuse_shell_syntax, split_global_flags
from .logtimes import go_duration, line_times, nano_stamp
from .taint import cmd_taint as _cmd_taint  # noqa: F401 (dispatched by name)

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
    "taint",
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
    "--chunk-size",  # kubectl pages lists by this many; the console lists at once (as the REST face may)
    "--from-file",
    "-k",
    "--kustomize",
    "--limits",
    "--requests",
    "--containers",
    # generators (create/run/expose), label columns and output
    "--from-env-file",
    "--external-name",
    "--clusterip",
    "--cluster-ip",
    "--schedule",
    "--from",
    "--rule",
    "--class",
    "--default-backend",
    "--annotation",
    "--annotations",
    "--hard",
    "--scopes",
    "--min-available",
    "--max-unavailable",
    "--docker-server",
    "--docker-username",
    "--docker-password",
    "--docker-email",
    "--cert",
    "--key",
    "--image-pull-policy",
    "-L",
    "--label-columns",
    "--overrides",
    "--override-type",
    "-r",
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
    "--ignore-not-found",
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
    "--create-annotation",
    "--command",
    "--attach",
    "--dry-run",
    "--no-headers",
    "--expose",
    "--list",
    "--save-config",
    "--client",
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
GET_ALL = (
    "Pod",
    "ReplicationController",
    "Service",
    "DaemonSet",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "HorizontalPodAutoscaler",
    "CronJob",
    "Job",
)


def is_mutating(words: list[str]) -> bool:
    """Returns False for verbs that only read (no checkpoint needed)."""
    try:
        _, words = split_global_flags(words)
    except CommandError:
        return False
    if not words:
        return False
    if words[0] == "rollout" and len(words) > 1 and words[1] in ("status", "history"):
        return False
    if words[0] == "exec" and "--" in words:
        # Reading files, the environment or DNS changes nothing; writes and curl (request counts) do.
        command = words[words.index("--") + 1 :]
        return not command or command[0].rsplit("/", 1)[-1] not in READ_ONLY_SHELL
    if words[0] in ("create", "run", "expose") and any(
        w in ("--dry-run=client", "--dry-run=server") for w in words
    ):
        return False
    return words[0] not in READ_ONLY


# Commands of real kubectl this console does not offer, with the reason (kubectl's own list of verbs).
_NOT_AVAILABLE = {
    "port-forward": "port-forward opens a local port on your computer; the simulated cluster has none to open. "
    "Use `kubectl exec POD -- wget -qO- http://SERVICE` or a NodePort Service instead",
    "proxy": "kubectl proxy serves the API on a local port, which the simulated cluster has none of",
    "attach": "attach needs a terminal, which this web console does not have; use `kubectl logs POD`",
    "cp": "kubectl cp copies local files, which this web console does not have",
    "auth": "RBAC is not part of the simulated cluster",
    "certificate": "certificates are not part of the simulated cluster",
    "debug": "ephemeral debug containers are not part of the simulated cluster; use `kubectl exec`",
    "replace": "use `kubectl apply -f -` with the whole object",
    "patch": "use `kubectl apply -f -`, `kubectl set image`, `kubectl scale` or `kubectl label`",
    "wait": "use `kubectl rollout status` or `sim wait SECONDS`",
    "kustomize": "kustomize reads local directories, which this web console does not have",
    "plugin": "plugins are local programs, which this web console does not have",
    "completion": "shell completion is for a local shell",
    "config": "the console talks to one simulated cluster with one context",
    "events": "use `kubectl get events`",
}
# Global flags that would point kubectl at another cluster or user: the console has just the one.
_OTHER_CLUSTER_FLAGS = ("--context", "--cluster", "--user", "--kubeconfig", "-s", "--server")


def run(c, words: list[str], stdin: str | None) -> str:
    """Runs `kubectl WORDS...`; returns the output or raises CommandError / ApiError / YamlError.

    Global flags may precede the verb (`kubectl -n kube-system get pods`) as in kubectl; shell operators
    (`| grep`) are refused with the kubectl filters to use instead; unknown verbs and flags get kubectl's
    words (`Did you mean this?`, `See 'kubectl get --help' for usage.`).
    """
    refuse_shell_syntax(words)
    global_words, words = split_global_flags(words)
    for w in global_words:
        if w.split("=", 1)[0] in _OTHER_CLUSTER_FLAGS or (w[:2] == "-s" and not w.startswith("--")):
            raise CommandError(
                f"error: this console talks to one simulated cluster; {w.split('=', 1)[0]} cannot point it elsewhere"
            )
    if not words or words[0] in ("-h", "--help", "help"):
        return _help()
    verb = words[0]
    if verb in _NOT_AVAILABLE and verb not in VERBS:
        raise CommandError(
            f"error: `kubectl {verb}` is not available in this console: {_NOT_AVAILABLE[verb]}"
        )
    if verb not in VERBS:
        guess = did_you_mean(verb, VERBS)
        hint = ("\n\nDid you mean this?\n" + "\n".join(f"\t{g}" for g in guess)) if guess else ""
        raise CommandError(f'error: unknown command "{verb}" for "kubectl"{hint}')
    value_flags, bool_flags = VALUE_FLAGS, BOOL_FLAGS
    if verb == "logs":
        # `kubectl logs` has no --filename: its -f is --follow, a boolean (kubectl pkg/cmd/logs/logs.go).
        value_flags = (VALUE_FLAGS - {"-f", "--filename"}) | {"--since"}
        bool_flags = BOOL_FLAGS | {"-f", "--follow", "--timestamps"}
    if verb == "describe":
        bool_flags = BOOL_FLAGS | {"--show-events"}
    if verb == "api-resources":
        value_flags = VALUE_FLAGS | {"--namespaced", "--api-group"}
    if verb == "top":
        # `kubectl top pod --containers` and `top node --show-capacity` are booleans (pkg/cmd/top).
        value_flags = VALUE_FLAGS - {"--containers"}
        bool_flags = BOOL_FLAGS | {"--containers", "--show-capacity", "--sum"}
    try:
        args = parse(global_words + words[1:], value_flags, bool_flags)
    except CommandError as exc:
        sub = (
            words[1]
            if verb in ("create", "rollout", "set") and len(words) > 1 and not words[1].startswith("-")
            else ""
        )
        if str(exc).startswith(("error: unknown flag", "error: unknown shorthand flag")):
            raise CommandError(
                f"{exc}\nSee 'kubectl {verb}{' ' + sub if sub else ''} --help' for usage."
            ) from None
        raise
    handler = globals()[f"_cmd_{verb.replace('-', '_')}"]
    output = handler(c, args, stdin)
    if args.has("--record"):
        # cobra's MarkDeprecated note, on stderr before the command's output
        output = "Flag --record has been deprecated, --record will be removed in the future\n" + output
    if verb in ("get", "describe") and _reads_endpoints(args):
        output = ENDPOINTS_WARNING + output
    if (
        verb in ("get", "describe")
        and args.positional
        and "ev" in args.positional[0].split("/")[0].split(",")
    ):
        # the RESTMapper's shortcut expander: `ev` is the short name of both v1 and events.k8s.io Events
        # (cli-runtime pkg/restmapper shortcut.go warns when a short name matches more than one resource)
        output = (
            'Warning: short name "ev" could also match lower priority resource events.events.k8s.io\n'
            + output
        )
    return output


# The API server's `Warning: 299` header on every v1 Endpoints request (kubernetes
# pkg/registry/core/endpoint, deprecated in v1.33), which kubectl prints once to stderr.
ENDPOINTS_WARNING = "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n"


def _reads_endpoints(args: Args) -> bool:
    """Whether `get`/`describe` named v1 Endpoints (`ep`, `endpoints/x`, `svc,ep`)."""
    if not args.positional:
        return False
    words = args.positional[0].split(",") if "/" not in args.positional[0] else args.positional
    for word in words:
        try:
            if _resource(word.split("/", 1)[0]).kind == "Endpoints":
                return True
        except (CommandError, ApiError):
            return False
    return False


# kubectl's own help groups and one-line descriptions (kubectl 1.37 `kubectl` with no arguments); only the
# verbs this console runs are listed.
_HELP_GROUPS = (
    ("Basic Commands (Beginner)", ("create", "expose", "run", "set")),
    ("Basic Commands (Intermediate)", ("explain", "get", "edit", "delete")),
    ("Deploy Commands", ("rollout", "scale", "autoscale")),
    ("Cluster Management Commands", ("cluster-info", "top", "cordon", "uncordon", "drain", "taint")),
    ("Troubleshooting and Debugging Commands", ("describe", "logs", "exec")),
    ("Advanced Commands", ("diff", "apply")),
    ("Settings Commands", ("label", "annotate")),
    ("Other Commands", ("api-resources", "version")),
)
_HELP_LINES = {
    "create": "Create a resource from a file or from stdin",
    "expose": "Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service",
    "run": "Run a particular image on the cluster",
    "set": "Set specific features on objects",
    "explain": "Get documentation for a resource",
    "get": "Display one or many resources",
    "edit": "Edit a resource on the server",
    "delete": "Delete resources by file names, stdin, resources and names, or by resources and label selector",
    "rollout": "Manage the rollout of a resource",
    "scale": "Set a new size for a deployment, replica set, or replication controller",
    "autoscale": "Auto-scale a deployment, replica set, stateful set, or replication controller",
    "cluster-info": "Display cluster information",
    "top": "Display resource (CPU/memory) usage",
    "cordon": "Mark node as unschedulable",
    "uncordon": "Mark node as schedulable",
    "drain": "Drain node in preparation for maintenance",
    "taint": "Update the taints on one or more nodes",
    "describe": "Show details of a specific resource or group of resources",
    "logs": "Print the logs for a container in a pod",
    "exec": "Execute a command in a container",
    "diff": "Diff the live version against a would-be applied version",
    "apply": "Apply a configuration to a resource by file name or stdin",
    "label": "Update the labels on a resource",
    "annotate": "Update the annotations on a resource",
    "api-resources": "Print the supported API resources on the server",
    "version": "Print the client and server version information",
}


def _help() -> str:
    """Returns kubectl's command overview, limited to the verbs this console runs."""
    lines = ["kubectl controls the Kubernetes cluster manager.", ""]
    for title, verbs in _HELP_GROUPS:
        present = [v for v in verbs if v in VERBS]
        if not present:
            continue
        lines.append(f"{title}:")
        lines += [f"  {v:<15} {_HELP_LINES[v]}" for v in present]
        lines.append("")
    lines += [
        "Usage:",
        "  kubectl [flags] [options]",
        "",
        "Not in this console: attach, port-forward, proxy, cp, auth, certificate, debug, events, patch, replace,",
        "wait, kustomize, completion, config, plugin (each answers why when typed).",
    ]
    return "\n".join(lines)


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
    slashed = sum("/" in w for w in words)
    if slashed and slashed != len(words):
        # cli-runtime resource/builder.go hasCombinedTypeArgs (os.Args[0] is `kubectl`)
        raise CommandError(
            "error: there is no need to specify a resource type as a separate argument when passing arguments "
            "in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get "
            "resource resource/<resource_name>'"
        )
    if slashed:
        for w in words:
            t, _, n = w.partition("/")
            out.append((_resource(t), n))
        return out
    res = _resource(words[0])
    for n in words[1:]:
        out.append((res, n))
    return out


def _lookup(c, res: Resource, ns: str | None, name: str) -> dict | None:
    """Returns the object as a read finds it: stored, or the built `simulator-limits` quota (object_quota)."""
    return object_quota.lookup(c, res.kind, ns if res.namespaced else None, name)


def _listing(c, res: Resource, ns: str | None) -> list[dict]:
    """Returns the objects of `res` in `ns` (None: every namespace) as a list finds them, unsorted: the stored
    ones, and for ResourceQuota the built `simulator-limits` of each namespace (object_quota)."""
    where = ns if res.namespaced else None
    return object_quota.with_object_quotas(c, res.kind, where, c.store.list(res.kind, where))


def _get_obj(c, res: Resource, ns: str, name: str) -> dict:
    obj = _lookup(c, res, ns, name)
    if obj is None:
        raise not_found(res, name)
    return obj


def _missing(c, res: Resource, ns: str | None, name: str) -> ApiError:
    """Returns the error `get`/`describe` print for a named object that is not there: kubectl v1.37, after the
    404, GETs the namespace and reports `namespaces "x" not found` when that is missing too [O: the real
    kubectl against the REST face: `GET …/namespaces/nowhere/pods/nope` then `GET /api/v1/namespaces/nowhere`]."""
    if res.namespaced and ns and c.store.get(etcd_key(BY_KIND["Namespace"], None, ns)) is None:
        return ApiError(f'Error from server (NotFound): namespaces "{ns}" not found', "NotFound", 404)
    return not_found(res, name)


def _get_named(c, res: Resource, ns: str | None, name: str) -> dict:
    """`_get_obj` for get and describe (a missing namespace is named in the error, see `_missing`)."""
    obj = _lookup(c, res, ns, name)
    if obj is None:
        raise _missing(c, res, ns, name)
    return obj


def _output_name(res: Resource, name: str, verb: str) -> str:
    return f"{res.name_prefix}/{name} {verb}"


def _load(stdin: str | None, args: Args, verb: str = "apply") -> list[dict]:
    """Returns the objects of `-f -` (a `kind: List` already flattened into its items); raises CommandError
    for other paths and, like kubectl, `error: no objects passed to VERB` when there is none (a bare `---`,
    an empty List) [kubectl pkg/cmd/apply/apply.go `Run`]."""
    files = args.all("-f", "--filename")
    if not files:
        raise CommandError("error: must specify one of -f and -k")
    url = next((f for f in files if f.startswith(("http://", "https://"))), None)
    if url:
        # kubernetes.io pages apply their examples by URL (`kubectl apply -f https://k8s.io/examples/…`);
        # the classroom cluster has no internet, so the file's text has to come in as standard input.
        raise CommandError(
            f'error: this classroom cluster has no internet access, so kubectl cannot fetch "{url}".\n'
            "Open that URL in your browser, copy the file's YAML, and paste it in the YAML tab "
            "(it runs `kubectl apply -f -`), or use -f - with the YAML as standard input"
        )
    if files != ["-"]:
        raise CommandError(
            f'error: the path "{files[0]}" does not exist (this console reads manifests from '
            "standard input: use -f - and paste the YAML)"
        )
    try:
        docs = load_documents(stdin)
    except YamlError as exc:
        if exc.message == "error: no objects passed to apply":
            raise CommandError(f"error: no objects passed to {verb}") from None
        raise CommandError(exc.message, exc.to_dict()) from None
    if not docs:
        raise CommandError(f"error: no objects passed to {verb}")
    return docs


def _limit_replicas(c, objs: list[dict]) -> None:
    """Refuses requests that would ask for too many pods (per command and for the whole cluster)."""
    per = c.config["max_pods_per_request"]
    total_req = 0
    for o in objs:
        if o["kind"] in ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"):
            r = o["spec"].get("replicas", 1)
            total_req += r if isinstance(r, int) else 0
        elif o["kind"] == "Job":
            r = o["spec"].get("parallelism", 1)
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
        if o["kind"] in ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController") and not o[
            "metadata"
        ].get("ownerReferences"):
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


def _merge_for_apply(live: dict, new: dict, c=None) -> dict:
    """Returns the object `kubectl apply` of the submitted `new` would leave: the three-way strategic merge of
    the live object's last-applied configuration, `new` and the live object (see `apply.py`). With a cluster
    `c` the result is also re-defaulted and validated as the API server does."""
    from .apply import original_configuration, strategic_merge, three_way_merge_patch, with_last_applied
    from .apply_command import _server_apply, as_version

    current = as_version(live, new.get("apiVersion"))
    patch = three_way_merge_patch(original_configuration(current), with_last_applied(new), current)
    merged = strategic_merge(current, patch)
    return _server_apply(c, live, merged, []) if c is not None and patch else merged


def _last_applied(obj: dict) -> str:
    """Returns the last-applied-configuration annotation for a submitted object (see `apply.py`)."""
    from .apply import last_applied_configuration

    return last_applied_configuration(obj)


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


# ---------------------------------------------------------------------------------------------- apply / create
def _cmd_apply(c, args: Args, stdin) -> str:
    from . import commands
    from .apply_command import run_apply

    return run_apply(c, args, stdin, commands)


def _cmd_diff(c, args: Args, stdin) -> str:
    """`kubectl diff -f -`: live object versus what `kubectl apply` would store (server dry-run of the patch)."""
    from .apply import LAST_APPLIED, last_applied_configuration
    from .apply_command import _with_namespace

    docs = _load(stdin, args, "diff")
    out = []
    for d in docs:
        kind = d.get("kind")
        submitted = _with_namespace(
            d, BY_KIND.get(kind) if isinstance(kind, str) else None, args.get("-n", "--namespace")
        )
        obj = c.api.admit(submitted)
        res = BY_KIND[obj["kind"]]
        live = c.store.get(etcd_key(res, obj["metadata"].get("namespace"), obj["metadata"]["name"]))
        if live is None:
            merged = obj
            merged["metadata"].setdefault("annotations", {})[LAST_APPLIED] = last_applied_configuration(
                submitted
            )
        else:
            merged = _merge_for_apply(live, submitted, c)
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
    """`kubectl create -f -` (objects from stdin) or `kubectl create KIND NAME …` (generators.py).

    With `-f`, `--dry-run=client` prints the objects as read (namespace filled in, keys sorted, as kubectl
    prints unstructured objects), `server` what the API server would store; `-o` prints instead of
    `KIND/NAME created`. Several objects print one after another (`---` between YAML documents).
    """
    if args.has("-f", "--filename"):
        dry = _dry_run(args)
        fmt = args.get("-o", "--output")
        docs = _load(stdin, args, "create")
        admitted = [c.api.admit(d) for d in docs]
        _limit_replicas(c, admitted)
        for obj in admitted:
            res = BY_KIND[obj["kind"]]
            if res.namespaced:
                c.api.check_namespace(obj["metadata"].get("namespace") or "default")
            if (
                c.store.get(etcd_key(res, obj["metadata"].get("namespace"), obj["metadata"]["name"]))
                is not None
                and dry != "client"
            ):
                raise ApiError(
                    f'Error from server (AlreadyExists): error when creating "STDIN": {res.qualified} '
                    f'"{obj["metadata"]["name"]}" already exists',
                    "AlreadyExists",
                    409,
                )
        save = args.has("--save-config") and args.get("--save-config") != "false"
        if save:
            # --save-config: last-applied holds each object as read (namespace filled in), before admission.
            for i, d in enumerate(docs):
                raw = clone(d)
                if BY_KIND[raw["kind"]].namespaced:
                    raw.setdefault("metadata", {}).setdefault("namespace", _ns(args))
                text = generators.save_config(raw, typed=False)["metadata"]["annotations"][
                    generators.LAST_APPLIED
                ]
                admitted[i]["metadata"].setdefault("annotations", {})[generators.LAST_APPLIED] = text
                docs[i] = generators.save_config(raw, typed=False)
        if dry == "client":
            shown = []
            for d in docs:
                raw = clone(d)
                if BY_KIND[raw["kind"]].namespaced:
                    raw.setdefault("metadata", {}).setdefault("namespace", _ns(args))
                shown.append(raw)
        elif dry == "server":
            shown = admitted
        else:
            try:
                shown = [c.api.create(obj, "kubectl", user=True) for obj in admitted]
            except ApiError as err:  # a quota's 403 names the file, as kubectl prints it
                raise in_file(err, "STDIN") from None
        suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry, "")
        if fmt == "yaml":
            return "\n---\n".join(printers.to_yaml(o) for o in shown)
        if fmt == "json":
            # Objects read from a file are unstructured maps: Go's encoder sorts their keys.
            sort = dry == "client"
            return "\n".join(json.dumps(o, indent=4, ensure_ascii=False, sort_keys=sort) for o in shown)
        if fmt is not None:
            return "\n".join(_print_object(o, fmt) for o in shown)
        return "\n".join(
            _output_name(BY_KIND[o["kind"]], o["metadata"]["name"], "created") + suffix for o in shown
        )
    return _create_generated(c, args)


# `kubectl create SUBCOMMAND` aliases (kubectl's cobra Aliases), mapped to the generator's name.
_CREATE_SUBCOMMANDS = {
    "deployment": "deployment",
    "deploy": "deployment",
    "service": "service",
    "svc": "service",
    "configmap": "configmap",
    "cm": "configmap",
    "secret": "secret",
    "namespace": "namespace",
    "ns": "namespace",
    "job": "job",
    "cronjob": "cronjob",
    "cj": "cronjob",
    "ingress": "ingress",
    "ing": "ingress",
    "quota": "quota",
    "resourcequota": "quota",
    "poddisruptionbudget": "pdb",
    "pdb": "pdb",
}
_NOT_SIMULATED_CREATE = (
    "clusterrole",
    "clusterrolebinding",
    "role",
    "rolebinding",
    "serviceaccount",
    "sa",
    "priorityclass",
    "pc",
    "token",
)


# Generator flags each `create` subcommand defines (kubectl pkg/cmd/create/create_*.go); another generator's
# flag is an unknown flag there, as in kubectl.
_GENERATOR_FLAGS = {
    "--image", "--replicas", "-r", "--port", "--tcp", "--node-port", "--clusterip", "--external-name",
    "--from-literal", "--from-file", "--from-env-file", "--type", "--docker-server", "--docker-username",
    "--docker-password", "--docker-email", "--cert", "--key", "--from", "--schedule", "--restart", "--rule",
    "--class", "--default-backend", "--annotation", "--hard", "--scopes", "--selector",
    "--min-available", "--max-unavailable",
}  # fmt: skip
_SUBCOMMAND_FLAGS = {
    "deployment": {"--image", "--replicas", "-r", "--port"},
    "service clusterip": {"--tcp", "--clusterip"},
    "service nodeport": {"--tcp", "--node-port"},
    "service loadbalancer": {"--tcp"},
    "service externalname": {"--tcp", "--external-name"},
    "configmap": {"--from-literal", "--from-file", "--from-env-file"},
    "secret generic": {"--from-literal", "--from-file", "--from-env-file", "--type"},
    "secret docker-registry": {"--docker-server", "--docker-username", "--docker-password", "--docker-email", "--from-file"},
    "secret tls": {"--cert", "--key"},
    "namespace": set(),
    "job": {"--image", "--from"},
    "cronjob": {"--image", "--schedule", "--restart"},
    "ingress": {"--rule", "--class", "--default-backend", "--annotation"},
    "quota": {"--hard", "--scopes"},
    "pdb": {"--selector", "--min-available", "--max-unavailable"},
}  # fmt: skip


def _check_subcommand_flags(args: Args, sub: str, usage: str) -> None:
    for flag in args.flags:
        if flag in _GENERATOR_FLAGS and flag not in _SUBCOMMAND_FLAGS[sub]:
            raise CommandError(f"error: unknown flag: {flag}\nSee 'kubectl create {usage} --help' for usage.")


def _create_generated(c, args: Args) -> str:
    """Runs `kubectl create KIND NAME …` through kubectl's generators (generators.py)."""
    pos = args.positional
    if not pos:
        raise CommandError("error: must specify one of -f and -k")
    what = _CREATE_SUBCOMMANDS.get(pos[0])
    if what in ("service", "secret"):
        if len(pos) > 1 and f"{what} {pos[1]}" in _SUBCOMMAND_FLAGS:
            _check_subcommand_flags(args, f"{what} {pos[1]}", f"{what} {pos[1]}")
    elif what is not None:
        _check_subcommand_flags(args, what, pos[0])
    if what is None:
        if pos[0] in _NOT_SIMULATED_CREATE:
            raise CommandError(
                f"error: the simulator does not model `kubectl create {pos[0]}` (RBAC and service accounts "
                "are not part of this cluster)"
            )
        raise CommandError(
            f"error: Unexpected args: [{' '.join(pos)}]\nSee 'kubectl create -h' for help and examples"
        )
    _dry_run(args)
    explicit_ns = _ns(args) if args.has("-n", "--namespace") else None
    if what == "service":
        if len(pos) < 2 or pos[1] not in generators.SERVICE_TYPES:
            raise CommandError(
                "error: kubectl create service needs a type: clusterip, nodeport, loadbalancer or externalname"
                "\nSee 'kubectl create service -h' for help and examples"
            )
        name = generators.one_name(f"create service {pos[1]}", pos[2:])
        obj = generators.service(pos[1], name, explicit_ns, args)
    elif what == "secret":
        kinds = {
            "generic": generators.secret_generic,
            "docker-registry": generators.secret_docker_registry,
            "tls": generators.secret_tls,
        }
        if len(pos) < 2 or pos[1] not in kinds:
            raise CommandError(
                "error: kubectl create secret needs a type: generic, docker-registry or tls"
                "\nSee 'kubectl create secret -h' for help and examples"
            )
        name = generators.one_name(f"create secret {pos[1]}", pos[2:])
        obj = kinds[pos[1]](name, explicit_ns, args)
    elif what == "namespace":
        obj = generators.namespace_object(generators.one_name("create namespace", pos[1:]))
    else:
        name = generators.one_name(f"create {what}", pos[1:])
        if what == "deployment":
            # A dry run must leave the cluster as it was, its random number stream included.
            rng = c.rng
            if _dry_run(args) != "none":
                rng = random.Random()
                rng.setstate(c.rng.getstate())
            obj = generators.deployment(name, explicit_ns, args, args.rest, rng)
        elif what == "configmap":
            obj = generators.configmap(name, explicit_ns, args)
        elif what == "job":
            if args.get("--from"):
                obj = _job_from(c, args, name, explicit_ns)
            else:
                obj = generators.job(name, explicit_ns, args, args.rest)
        elif what == "cronjob":
            obj = generators.cronjob(name, explicit_ns, args, args.rest)
        elif what == "ingress":
            obj = generators.ingress(name, explicit_ns, args)
        elif what == "quota":
            obj = generators.quota(name, explicit_ns, args)
        else:
            obj = generators.pdb(name, explicit_ns, args)
    try:
        return _emit_generated(c, args, obj, "created")
    except ApiError as err:
        prefix = _CREATE_FAILED.get(what)
        if what == "service":
            prefix = f"failed to create {obj['spec'].get('type', 'ClusterIP')} service: "
        if prefix is None:
            raise
        raise CommandError(f"error: {prefix}{server_message(err)}") from None


# kubectl 1.37 pkg/cmd/create/create_*.go wrap the server's refusal of the Create call:
# `fmt.Errorf("failed to create deployment: %v", err)`; create_secret*.go omit the colon; create namespace
# returns the error as it is (checked against the real kubectl: tests/kubeapi/test_console_oracle.py).
_CREATE_FAILED = {
    "deployment": "failed to create deployment: ",
    "configmap": "failed to create configmap: ",
    "job": "failed to create job: ",
    "cronjob": "failed to create cronjob: ",
    "ingress": "failed to create ingress: ",
    "quota": "failed to create quota: ",
    "secret": "failed to create secret ",
}


def server_message(err: ApiError) -> str:
    """Returns the Status message of an API error (what a Go `err.Error()` of the StatusError prints)."""
    if err.status_message:
        return err.status_message
    text = str(err)
    if text.startswith("Error from server (") and "): " in text:
        return text.split("): ", 1)[1]
    return text


def _job_from(c, args: Args, name: str, explicit_ns: str | None) -> dict:
    """Returns the Job of `create job NAME --from=cronjob/X` (reads X from the API server)."""
    if args.get("--image"):
        raise CommandError("error: either --image or --from must be specified")
    source = args.get("--from")
    kind, _, source_name = source.partition("/")
    if kind not in ("cronjob", "cronjobs", "cj", "cronjob.batch") or not source_name:
        raise CommandError(f"error: from must be an existing cronjob: {source}")
    if "CronJob" not in BY_KIND:
        raise CommandError('error: the server doesn\'t have a resource type "cronjob"')
    cronjob = _get_obj(c, BY_KIND["CronJob"], _ns(args), source_name)
    return generators.job_from_cronjob(name, explicit_ns, cronjob)


def _dry_run(args: Args) -> str:
    """Returns "none", "client" or "server" from --dry-run; raises kubectl's error for another value."""
    value = args.get("--dry-run")
    if value is None:
        return "none"
    if value in ("", "true"):
        # Bare `--dry-run` (pflag NoOptDefVal) and the old boolean `true` still mean client, with a warning
        # (cmdutil.GetDryRunStrategy); `false` means none.
        return "client"
    if value == "false":
        return "none"
    if value not in ("none", "server", "client"):
        raise CommandError(f'error: Invalid dry-run value ({value}). Must be "none", "server", or "client".')
    return value


def _prefix_of(obj: dict) -> str:
    """Returns `deployment.apps` / `pod` / `job.batch` for the name printer, also for kinds not simulated."""
    res = BY_KIND.get(obj["kind"])
    if res is not None:
        return res.name_prefix
    group = obj["apiVersion"].rpartition("/")[0]
    return f"{obj['kind'].lower()}.{group}" if group else obj["kind"].lower()


def _emit_generated(c, args: Args, obj: dict, verb: str) -> str:
    """Stores (unless a dry run) and prints a generated object as kubectl's create/run/expose do.

    `--dry-run=client` prints the generated object untouched; `server` prints what the API server would
    store without storing it; `-o yaml|json|name|jsonpath=…` prints the object, else `KIND/NAME VERB`
    with ` (dry run)` / ` (server dry run)`.
    """
    dry = _dry_run(args)
    fmt = args.get("-o", "--output")
    if fmt is not None:
        _check_output_format(fmt, _OBJECT_FORMATS)
    # --save-config: kubectl 1.37 writes the annotation for the create subcommands except `create service`;
    # `run` and `expose` print none with a client dry run (checked against the real kubectl).
    saving = args.has("--save-config") and args.get("--save-config") != "false" and verb == "created"
    if saving and obj["kind"] not in ("Service", "Pod"):
        obj = generators.save_config(obj)
    res = BY_KIND.get(obj["kind"])
    if dry != "client":
        if res is None:
            group = obj["apiVersion"].rpartition("/")[0]
            plural = obj["kind"].lower() + ("es" if obj["kind"].endswith("s") else "s")
            raise CommandError(
                f"error: failed to create {obj['kind'].lower()}: the server could not find the requested resource "
                f"(post {plural}{'.' + group if group else ''})"
            )
        stored = clone(obj)
        stored.pop("status", None)
        if res.namespaced:
            stored["metadata"]["namespace"] = _ns(args)
            c.api.check_namespace(stored["metadata"]["namespace"])
        stored = c.api.admit(stored, source="")
        _limit_replicas(c, [stored])
        if dry == "none":
            existing = c.store.get(
                etcd_key(res, stored["metadata"].get("namespace"), stored["metadata"]["name"])
            )
            if existing is not None:
                raise ApiError(
                    f'Error from server (AlreadyExists): {res.qualified} "{stored["metadata"]["name"]}" already exists',
                    "AlreadyExists",
                    409,
                )
            stored = c.api.create(stored, "kubectl", user=True)
        obj = stored
    warning = ""
    if args.get("--dry-run") in ("", "true"):
        warning = "Warning: --dry-run is deprecated and can be replaced with --dry-run=client.\n"
    if fmt is not None:
        return warning + _print_object(obj, fmt)
    suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry, "")
    return f"{warning}{_prefix_of(obj)}/{obj['metadata']['name']} {verb}{suffix}"


# The printers kubectl 1.37 offers (the order of its error message), and those this console prints.
_OBJECT_FORMATS = (
    "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,"
    "templatefile,yaml"
)
_GET_FORMATS = (
    "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,"
    "jsonpath-file,kyaml,name,template,templatefile,wide,yaml"
)
_PRINTED = {"yaml", "json", "name", "wide", "jsonpath", "custom-columns"}


def _check_output_format(fmt: str, allowed: str) -> None:
    """Raises kubectl's error for an unknown `-o`, and a clear refusal for a known one not printed here."""
    name = fmt.split("=", 1)[0]
    if name not in allowed.split(","):
        raise CommandError(
            f'error: unable to match a printer suitable for the output format "{fmt}", allowed formats are: '
            f"{allowed}"
        )
    if name not in _PRINTED:
        raise CommandError(
            f"error: -o {name} is not available in this console; it prints -o yaml, json, name, jsonpath=… "
            "and (for get) wide and custom-columns=…"
        )


def _print_object(obj: dict, fmt: str) -> str:
    """Prints one object with -o yaml|json|name|jsonpath=…|custom-columns=…."""
    if fmt == "yaml":
        return printers.to_yaml(obj)
    if fmt == "json":
        return printers.to_json(obj)
    if fmt == "name":
        return f"{_prefix_of(obj)}/{obj['metadata']['name']}"
    return output_formats.render(fmt, [obj], single=True)


def _cmd_run(c, args: Args, stdin) -> str:
    """`kubectl run NAME --image=I …`: one Pod from kubectl's BasicPod generator (generators.run_pod).

    Attaching (`-i`, `-t`, `--attach`) needs a terminal the web console does not have, so it is refused with
    the way out; `--rm` without attaching is refused with kubectl's own words.
    """
    if not args.positional:
        raise CommandError("error: NAME is required for run")
    name = args.positional[0]
    attach = args.has("-i", "--stdin", "-t", "--tty", "--attach")
    if args.has("--rm") and not attach:
        raise CommandError("error: --rm should only be used for attached containers")
    if attach and _dry_run(args) != "none":
        raise CommandError(
            "error: --dry-run=[server|client] can't be used with attached containers options (--attach, "
            "--stdin, or --tty)"
        )
    if attach:
        raise CommandError(
            "error: this web console has no terminal to attach to, so `kubectl run -i/-t/--attach` is not "
            "available.\nRun the pod detached and read its output instead:\n"
            f"  kubectl run {name} --image={args.get('--image') or 'IMAGE'} --restart=Never -- COMMAND…\n"
            f"  kubectl logs {name}\n  kubectl delete pod {name}\n"
            f"or run one command in a running pod: kubectl exec POD -- COMMAND…"
        )
    explicit_ns = _ns(args) if args.has("-n", "--namespace") else None
    pod = generators.run_pod(name, explicit_ns, args, args.rest or args.positional[1:])
    pod = generators.apply_overrides(pod, args)
    if not args.has("--expose"):
        return _emit_generated(c, args, pod, "created")
    # `--expose` also creates a Service for the pod; kubectl prints the pod, then the service.
    service = generators.run_service(pod, args)
    outputs = [_emit_generated(c, args, pod, "created"), _emit_generated(c, args, service, "created")]
    if args.get("-o", "--output") == "yaml":
        return "\n---\n".join(outputs)
    return "\n".join(outputs)


# ---------------------------------------------------------------------------------------------- get
def _select(objs: list[dict], args: Args, kind: str | None = None) -> list[dict]:
    """Returns the objects matching `-l/--selector` and `--field-selector` (objects of one kind).

    Parsing, field labels and matching are the API server's (visualizer.engine.selectors, shared with the REST
    face); a bad selector is its 400, printed as kubectl prints it. The field selector is checked against the
    kind's field labels even when nothing matches (pass `kind`).
    """
    sel = args.get("-l", "--selector") or ""
    fields = args.get("--field-selector") or ""
    kind = kind or (objs[0]["kind"] if objs else None)
    res = BY_KIND.get(kind) if kind else None
    try:
        reqs = selectors.parse_label_selector(sel) if sel else []
        terms = selectors.parse_field_selector(fields, res.group, res.plural) if fields and res else []
    except ValueError as exc:
        if res is None:
            raise CommandError(f"error: {exc}") from None
        gvr = f"{res.group}/{res.api_version.split('/')[-1]}, Resource={res.plural}"
        raise ApiError(selectors.kubectl_message(gvr, sel, fields, str(exc)), "BadRequest", 400) from None
    if reqs:
        objs = [o for o in objs if selectors.labels_match(reqs, o["metadata"].get("labels"))]
    if terms:
        objs = [o for o in objs if selectors.fields_match(terms, o, res.group, res.plural)]
    return objs


def _sort_by(objs: list[dict], expr: str) -> list[dict]:
    """Sorts objects by the JSONPath `--sort-by` value as kubectl does: its isLess and Go's unstable sort.Sort
    (gosort.py), so objects with equal values come out in the real kubectl's order."""
    from .gosort import sort_by_values

    path = output_formats._relaxed(expr)
    return sort_by_values(objs, lambda o: output_formats.evaluate(path, o))


def _objects_named_by_files(stdin: str | None, args: Args, verb: str) -> list[tuple[Resource, str, str]]:
    """Returns (resource, namespace, name) of each object in `-f -`, for `get -f` and `describe -f`: kubectl
    reads the manifests only to name what to fetch (cli-runtime resource builder `FilenameParam`). An object's
    own metadata.namespace wins over -n/default, as in kubectl."""
    if args.positional:
        raise CommandError(
            "error: when paths, URLs, or stdin is provided as input, you may not specify resource arguments "
            "as well"
        )
    out = []
    for obj in _load(stdin, args, verb):
        res = BY_KIND.get(obj.get("kind"))
        meta = obj.get("metadata") or {}
        if res is None or not meta.get("name"):
            raise CommandError(
                f'resource mapping not found for name: "{meta.get("name", "")}" namespace: "" from '
                f'"STDIN": no matches for kind "{obj.get("kind")}" in version "{obj.get("apiVersion")}"\n'
                "ensure CRDs are installed first"
            )
        ns = (meta.get("namespace") or _ns(args)) if res.namespaced else ""
        out.append((res, ns, meta["name"]))
    return out


def _cmd_get(c, args: Args, stdin) -> str:
    ns_of: dict[tuple[str, str], str] = {}  # (kind, name) -> the namespace its manifest names (get -f)
    if args.has("-f", "--filename"):
        named = _objects_named_by_files(stdin, args, "get")
        args.positional = [f"{res.name_prefix}/{name}" for res, _, name in named]
        ns_of = {(res.kind, name): obj_ns for res, obj_ns, name in named if res.namespaced}
    if not args.positional:
        raise CommandError(
            'error: you must specify the type of resource to get. Use "kubectl api-resources" '
            "for a complete list of supported resources."
        )
    out_fmt = args.get("-o", "--output", default="")
    template = out_fmt.split("=", 1)[0] in ("jsonpath", "custom-columns") and "=" in out_fmt
    if out_fmt:
        _check_output_format(out_fmt, _GET_FORMATS)
    all_ns = args.has("-A", "--all-namespaces")
    ns = None if all_ns else _ns(args)
    if args.positional[0] in ("events", "event", "ev"):
        return events.table(
            c, ns, args.get("--field-selector"), args.get("--sort-by"), out_fmt, args.has("--no-headers")
        )
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
                where = ns_of.get((res.kind, n), ns or "default") if res.namespaced else None
                obj = _lookup(c, res, where, n)
                if obj is None:
                    errors.append(str(_missing(c, res, where, n)))
                else:
                    objs.append(obj)
        else:
            objs = _select(_listing(c, res, ns), args, res.kind)
            objs.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        if res.kind == "Node":
            from ..node_heartbeat import with_heartbeats

            objs = [with_heartbeats(c, o) for o in objs]  # heartbeats as of now, as a read shows them
        if args.get("--sort-by"):
            objs = _sort_by(objs, args.get("--sort-by"))
        items.extend(objs)
        if out_fmt in ("yaml", "json", "name") or template:
            continue
        if not objs:
            continue
        headers, rows = printers.rows_for(res.kind, objs, c.clock.now, out_fmt == "wide", all_ns, c)
        if multi or (len(args.positional) == 1 and args.positional[0] == "all"):
            col = 1 if all_ns and res.namespaced else 0
            for r in rows:
                r[col] = f"{res.name_prefix}/{r[col]}"
        for column in ",".join(args.all("-L", "--label-columns")).split(","):
            if column:
                # -L KEY adds an upper-cased column with each object's value of that label (kubectl get).
                headers = headers + [column.rsplit("/", 1)[-1].upper()]
                rows = [
                    r + [(o["metadata"].get("labels") or {}).get(column, "")]
                    for r, o in zip(rows, objs, strict=False)
                ]
        if args.has("--show-labels"):
            headers = headers + ["LABELS"]
            rows = [
                # labels.FormatLabels sorts the keys
                r
                + [
                    ",".join(f"{k}={v}" for k, v in sorted((o["metadata"].get("labels") or {}).items()))
                    or "<none>"
                ]
                for r, o in zip(rows, objs, strict=False)
            ]
        if args.has("--no-headers"):
            # tabwriter sizes the columns from what it prints: without the headers, from the cells alone
            sections.append(printers.table(rows[0], rows[1:]) if rows else "")
            continue
        sections.append(printers.table(headers, rows))
    if errors and not items:
        raise CommandError("\n".join(errors))
    if template:
        single = len(kinds) == 1 and len(kinds[0][1]) == 1 and len(items) == 1
        text = output_formats.render(out_fmt, items, single)
        if out_fmt.startswith("custom-columns") and args.has("--no-headers"):
            text = text.split("\n", 1)[1] if "\n" in text else ""
    elif out_fmt == "name":
        text = "\n".join(f"{BY_KIND[o['kind']].name_prefix}/{o['metadata']['name']}" for o in items)
    elif out_fmt in ("yaml", "json"):
        single = len(kinds) == 1 and len(kinds[0][1]) == 1 and len(items) == 1
        data = items[0] if single else printers.as_list(items)
        text = printers.to_yaml(data) if out_fmt == "yaml" else printers.to_json(data, sort_keys=True)
    elif not sections:
        # get.go: the namespace is named only when every listed kind is namespaced and -A is not given.
        text = "No resources found" + (
            f" in {ns} namespace." if ns and all(r.namespaced for r, _ in kinds) else ""
        )
    else:
        # kubectl separates the kinds' tables by a blank line, but not without headers
        text = ("\n" if args.has("--no-headers") else "\n\n").join(sections)
    if errors:
        text = text + "\n" + "\n".join(errors)
        raise CommandError(text)
    return text + ("\n" + WATCH_NOTE if args.has("-w", "--watch") else "")


# ---------------------------------------------------------------------------------------------- describe
def _cmd_describe(c, args: Args, stdin) -> str:
    from .describe import describe

    def show(count: int) -> bool:
        # kubectl v1.37 (kubernetes#137145): events are fetched for a single object only, unless
        # --show-events is given explicitly.
        if args.has("--show-events"):
            return args.get("--show-events").lower() in ("true", "1", "t")
        return count == 1

    if args.has("-f", "--filename"):
        objs = [
            _get_obj(c, res, ns or None, name)
            for res, ns, name in _objects_named_by_files(stdin, args, "describe")
        ]
        return "\n\n\n".join(describe(c, o, show(len(objs))) for o in objs)
    ns = _ns(args)
    pos = args.positional
    if not pos:
        raise CommandError(
            'error: You must specify the type of resource to describe. Use "kubectl api-resources" '
            "for a complete list of supported resources."
        )
    if pos == ["all"]:
        # the `all` category, expanded as for `get all`, each kind's objects in the API's order
        objs = []
        for kind in GET_ALL:
            objs += sorted(_select(c.store.list(kind, ns), args, kind), key=lambda o: o["metadata"]["name"])
        if not objs:
            return f"No resources found in {ns} namespace."
        return "\n\n\n".join(describe(c, o, show(len(objs))) for o in objs)
    if "/" not in pos[0] and len(pos) == 1:
        res = _resource(pos[0])
        objs = _select(_listing(c, res, ns), args, res.kind)
        if not objs:
            return f"No resources found in {ns} namespace."
        # The API server lists objects in key order (namespace, name).
        objs = sorted(objs, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        # kubectl prints "\n\n" between describer outputs that end in "\n": two blank lines.
        return "\n\n\n".join(describe(c, o, show(len(objs))) for o in objs)
    if len(pos) == 2 and "/" not in pos[0]:
        res = _resource(pos[0])
        where = ns if res.namespaced else None
        if _lookup(c, res, where, pos[1]) is None:
            # describe.go DescribeMatchingResources: `describe TYPE NAME` of no such object describes every
            # object whose name starts with NAME, or fails with the NotFound when none does.
            objs = sorted(
                (o for o in _listing(c, res, where) if o["metadata"]["name"].startswith(pos[1])),
                key=lambda o: o["metadata"]["name"],
            )
            if not objs:
                raise _missing(c, res, where, pos[1])
            # this path prints each description followed by one newline: a single blank line between them
            return "\n\n".join(describe(c, o, show(len(objs))) for o in objs)
    objs = [_get_named(c, res, ns, name) for res, name in _targets(c, args, pos)]
    return "\n\n\n".join(describe(c, o, show(len(objs))) for o in objs)


# ---------------------------------------------------------------------------------------------- delete
def _cmd_delete(c, args: Args, stdin) -> str:
    """`kubectl delete` [S kubectl pkg/cmd/delete/delete.go `DeleteResult`, cli-runtime pkg/resource builder].

    Objects come from `-f` (named by each manifest's kind, name and namespace, `error when deleting "STDIN": `
    before a server error), from `TYPE[,TYPE] --all|-l|--field-selector` (each type's list in the API's order:
    namespace, then name; `-A` every namespace) or from names. kubectl visits them one after another and goes on
    past a failure: every deletion made is printed, then the errors (its stdout, then its stderr); an empty
    selection or file prints `No resources found`. `--ignore-not-found` (the default with a selector or --all)
    skips missing objects silently.
    """
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
    selector = args.get("-l", "--selector") or ""
    fields = args.get("--field-selector") or ""
    selecting = args.has("--all") or bool(selector or fields)
    ignore = (args.get("--ignore-not-found") or ("true" if selecting else "false")).lower() in (
        "true",
        "1",
        "t",
    )
    # (resource, namespace or None, name, source): what to delete, in kubectl's order
    wanted: list[tuple[Resource, str | None, str, str]] = []
    if args.has("-f", "--filename"):
        try:
            named = _objects_named_by_files(stdin, args, "delete")
        except CommandError as exc:
            # kubectl delete -f of an empty file finds nothing to delete [kubectl pkg/cmd/delete/delete.go].
            if str(exc) == "error: no objects passed to delete":
                return "No resources found"
            raise
        wanted = [(res, obj_ns or None, name, "STDIN") for res, obj_ns, name in named]
    elif selecting:
        if args.has("--all") and (selector or fields):
            # cli-runtime builder.go `SelectAllParam`
            raise CommandError(
                "error: setting 'all' parameter but found a non empty selector. "
            )  # sic: the trailing space
        if not args.positional:
            raise CommandError(
                'error: you must specify the type of resource to get. Use "kubectl api-resources" '
                "for a complete list of supported resources."
            )
        if len(args.positional) > 1 or "/" in args.positional[0]:
            raise CommandError("error: name cannot be provided when a selector is specified")
        where = None if args.has("-A", "--all-namespaces") else ns
        for word in args.positional[0].split(","):
            res = _resource(word)
            if res.kind in ("Node", "Namespace"):
                raise CommandError(f"error: deleting {res.plural} is not supported by the simulator")
            objs = _select(_listing(c, res, where), args, res.kind)
            objs.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
            if res.kind == "Service" and not selector:
                # the simulator keeps the API server's own Service (nothing would recreate it)
                objs = [o for o in objs if o["metadata"]["name"] != "kubernetes"]
            wanted += [(res, o["metadata"].get("namespace"), o["metadata"]["name"], "") for o in objs]
    else:
        if args.positional and "/" not in args.positional[0] and len(args.positional) == 1:
            raise CommandError("error: resource(s) were provided, but no name was specified")
        for res, name in _targets(c, args, args.positional):
            if res.kind in ("Node", "Namespace") and name in ("default", "kube-system") or res.kind == "Node":
                raise CommandError(
                    f'error: deleting {res.kind.lower()} "{name}" is not supported by the simulator '
                    "(use `sim fail-node` to break a node)"
                )
            wanted.append((res, ns if res.namespaced else None, name, ""))
    if not wanted:
        return "No resources found"
    targets: list[tuple[dict, str]] = []
    errors: list[str] = []
    for res, where, name, source in wanted:
        obj = _lookup(c, res, where, name)
        if obj is None:
            if not ignore:
                errors.append(str(in_file(not_found(res, name), source, "deleting")))
        else:
            targets.append((obj, source))
    lines = []
    if force:
        lines.append(
            "Warning: Immediate deletion does not wait for confirmation that the running resource has been "
            "terminated. The resource may continue to run on the cluster indefinitely."
        )
    for obj, source in targets:
        res = BY_KIND[obj["kind"]]
        cur = _lookup(c, res, obj["metadata"].get("namespace"), obj["metadata"]["name"])
        if cur is None:
            continue
        try:
            lines.append(_delete_one(c, res, obj, cur, cascade, force, grace))
        except ApiError as err:
            errors.append(str(in_file(err, source, "deleting")))
    if errors:
        # the deletions made stay (kubectl never undoes them); its stdout, then its stderr
        text = "\n".join(lines + errors)
        raise PartialFailure(text) if len(lines) > bool(force) else CommandError(text)
    return "\n".join(lines)


def _delete_one(c, res: Resource, obj: dict, cur: dict, cascade: str, force: bool, grace: int) -> str:
    """Deletes one object as `kubectl delete` asked and returns kubectl's line for it; raises ApiError."""
    if c.store.get(etcd_key(res, cur["metadata"].get("namespace"), cur["metadata"]["name"])) is None:
        raise object_quota.refuse_write()  # only `simulator-limits` is read without being stored
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
        return _deleted(res, obj, "force deleted")
    if cascade == "foreground" and obj["kind"] != "Pod":
        # propagationPolicy=Foreground: the owner stays (deletionTimestamp, foregroundDeletion finalizer)
        # until the garbage collector has deleted its dependents.
        c.emit_request("delete", cur)
        c.gc.delete_foreground(cur)
        return _deleted(res, obj)
    c.api.delete(cur, "kubectl", user=True, grace=grace)
    if obj["kind"] == "HorizontalPodAutoscaler":
        c.hpa_history.pop(etcd_key(res, obj["metadata"]["namespace"], obj["metadata"]["name"]), None)
    return _deleted(res, obj)


def _deleted(res: Resource, obj: dict, operation: str = "deleted") -> str:
    """Returns kubectl 1.37's line for a deleted object: `deployment.apps "web" deleted from default namespace`
    for a namespaced one, `namespace "dev" deleted` for a cluster-scoped one (checked against the real kubectl:
    tests/kubeapi/test_console_oracle.py)."""
    line = f'{res.name_prefix} "{obj["metadata"]["name"]}" {operation}'
    if res.namespaced:
        line += f" from {obj['metadata']['namespace']} namespace"
    return line


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
    from .apply_command import (
        _COMMON_FLAGS,
        check_flags,
        dry_run_strategy,
        output_format,
        print_objects,
        result_line,
    )

    check_flags(args, "scale", _COMMON_FLAGS | {"--replicas", "--current-replicas", "--record"})
    dry, fmt = dry_run_strategy(args), output_format(args)
    replicas = args.int("--replicas")
    if replicas is None:
        raise CommandError('error: required flag(s) "replicas" not set')
    if replicas < 0:
        raise CommandError(
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
        )
    res, obj = _one_target(
        c, args, args.positional, ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController")
    )
    if replicas > c.config["max_pods_per_request"]:
        raise CommandError(
            f"error: the simulator allows at most {c.config['max_pods_per_request']} replicas per object"
        )
    cur_rep = args.int("--current-replicas")
    if cur_rep is not None and cur_rep != obj["spec"].get("replicas"):
        raise CommandError(f"error: Expected replicas to be {cur_rep}, was {obj['spec'].get('replicas')}")
    upd = clone(obj)
    upd["spec"]["replicas"] = replicas
    if args.has("--record"):
        upd["metadata"].setdefault("annotations", {})[CHANGE_CAUSE] = (
            f"kubectl scale {' '.join(args.positional)} --replicas={replicas} --record=true"
        )
    _check_cluster_total(c, [upd])
    if dry == "none":
        c.api.update(clone(upd), "kubectl", user=True, verb="scale")
    # kubectl prints the object it read with spec.replicas set [kubectl pkg/cmd/scale/scale.go `RunScale`].
    if fmt in ("yaml", "json"):
        return print_objects([upd], fmt)
    return result_line(res, obj["metadata"]["name"], "scaled", dry, fmt)


def _cmd_set(c, args: Args, stdin) -> str:
    from . import commands
    from .set_command import run_set

    return run_set(c, args, commands)


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
    res, d = _one_target(c, args, pos[1:], ("Deployment", "DaemonSet", "StatefulSet"))
    name = d["metadata"]["name"]
    if res.kind != "Deployment":
        return _rollout_workload(c, args, sub, res, d)
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

            # polymorphichelpers/history.go: the revision's template carries its ReplicaSet's change-cause.
            template = clone(rs["spec"]["template"])
            cause = (rs["metadata"].get("annotations") or {}).get(CHANGE_CAUSE)
            if cause:
                template.setdefault("metadata", {}).setdefault("annotations", {})[CHANGE_CAUSE] = cause
            return f"deployment.apps/{name} with revision #{want}\n" + "\n".join(template_lines(template))
        rows = [
            [str(rev), (by_rev[rev]["metadata"].get("annotations") or {}).get(CHANGE_CAUSE, "<none>")]
            for rev in sorted(by_rev)
        ]
        return f"deployment.apps/{name} \n" + printers.tabbed(["REVISION", "CHANGE-CAUSE"], rows)
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
            # kubectl pkg/cmd/rollout pause.go / resume.go: the Pauser's and Resumer's errors
            raise CommandError(
                f'error: deployments.apps "{name}" is {"already paused" if paused else "not paused"}'
            )
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


def _rollout_workload(c, args: Args, sub: str, res: Resource, obj: dict) -> str:
    """`rollout` for DaemonSets and StatefulSets, whose revisions are ControllerRevisions."""
    from . import rollout_workloads as rw
    from .describe import template_lines

    if sub == "status":
        return rw.status(obj)
    if sub == "history":
        return rw.history(c, obj, res.name_prefix, args.int("--revision", default=0), template_lines)
    if sub == "undo":
        return rw.undo(c, obj, res.name_prefix, args.int("--to-revision", default=0))
    if sub == "restart":
        return rw.restart(c, obj, res.name_prefix)
    verb = "pausing" if sub == "pause" else "resuming"
    raise CommandError(f'error: {res.qualified} "{obj["metadata"]["name"]}" {verb} is not supported')


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
    """`kubectl expose KIND NAME …`: a Service selecting the object's pods (generators.expose_service)."""
    res, obj = _one_target(c, args, args.positional, ("Deployment", "ReplicaSet", "Pod", "Service"))
    explicit_ns = _ns(args) if args.has("-n", "--namespace") else None
    svc = generators.expose_service(obj, explicit_ns, args)
    return _emit_generated(c, args, svc, "exposed")


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
    # cobra's MarkDeprecated note for --cpu-percent (kubectl 1.37 pkg/cmd/autoscale/autoscale.go), on stderr
    note = (
        "Flag --cpu-percent has been deprecated, Use --cpu with percentage or resource quantity format "
        "(e.g., '70%' for utilization or '500m' for milliCPU).\n"
        if args.has("--cpu-percent")
        else ""
    )
    return f"{note}horizontalpodautoscaler.autoscaling/{name} autoscaled"


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
    # kubectl's drain filters (pkg/drain/filters.go): DaemonSet pods are never evicted; without
    # --ignore-daemonsets they block the drain.
    daemon = [p for p in pods if daemonset_pod(p)]
    pods = [p for p in pods if not daemonset_pod(p)]
    bare = [p for p in pods if not p["metadata"].get("ownerReferences")]
    local = [p for p in pods if any("emptyDir" in v for v in p["spec"].get("volumes") or [])]
    problems = []
    if daemon and not args.has("--ignore-daemonsets"):
        problems.append(
            "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): "
            + ", ".join(f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in daemon)
        )
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
        # kubectl cordons before it looks at the pods and does not uncordon when the drain stops: the node
        # stays Ready,SchedulingDisabled (kubectl pkg/cmd/drain/drain.go RunDrain).
        raise PartialFailure(
            f'{_cordon(c, node, True)}\nerror: unable to drain node "{name}" due to error: '
            + ", ".join(problems)
            + ", continuing command...\nThere are pending nodes to be drained:\n "
            + name
            + "\n"
            + "\n".join(f"error: {p}" for p in problems)
        )
    lines = [_cordon(c, node, True)]
    if daemon:
        lines.append(
            "Warning: ignoring DaemonSet-managed Pods: "
            + ", ".join(f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in daemon)
        )
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
def _pod_for(c, args: Args, word: str, notes: list[str] | None = None) -> dict:
    """Returns the pod a `logs`/`exec` argument names (`POD`, `pod/POD`, or a controller's first pod); for a
    controller with several pods appends kubectl's stderr note `Found N pods, using pod/X` to `notes`
    (kubectl pkg/polymorphichelpers logsforobject.go / attachablepodforobject.go)."""
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
        if notes is not None and len(pods) > 1:
            notes.append(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}\n")
        return pods[0]
    return _get_obj(c, BY_KIND["Pod"], ns, word)


def _container_of(c, pod: dict, args: Args):
    """Returns (container name, sandbox, runtime container) as kubectl's podcmd.FindOrDefaultContainerByName
    picks it: `-c`, else the kubectl.kubernetes.io/default-container annotation, else the first container; a
    name that is not in the pod fails with `container X is not valid for pod P out of: a, b (init)`."""
    cname = args.get("-c", "--container")
    spec = pod["spec"]
    names = [x["name"] for x in spec["containers"]]
    names += [x["name"] for x in spec.get("ephemeralContainers") or []]
    names += [x["name"] for x in spec.get("initContainers") or []]
    if cname is None:
        cname = (pod["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
        cname = cname or names[0]
    if cname not in names:
        listed = ", ".join(
            [x["name"] for x in spec["containers"]]
            + [f"{x['name']} (ephem)" for x in spec.get("ephemeralContainers") or []]
            + [f"{x['name']} (init)" for x in spec.get("initContainers") or []]
        )
        raise CommandError(
            f"error: container {cname} is not valid for pod {pod['metadata']['name']} out of: {listed}"
        )
    sb, ctr = runtime_container(c, pod, cname)
    return cname, sb, ctr


def runtime_container(c, pod: dict, cname: str) -> tuple[dict | None, dict | None]:
    """Returns (sandbox, container record) of a pod's container in the runtime, (None, None) when the pod
    has no sandbox on its node yet (unscheduled, or not started)."""
    node = pod["spec"].get("nodeName")
    rn = c.runtime.node(node) if node else None
    key = etcd_key(BY_KIND["Pod"], pod["metadata"]["namespace"], pod["metadata"]["name"])
    sb = rn["sandboxes"].get(key) if rn else None
    ctr = sb["containers"].get(cname) if sb else None
    return sb, ctr


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
    notes: list[str] = []
    try:
        pod = _pod_for(c, args, args.positional[0], notes)
    except ApiError as err:
        if err.code != 404:
            raise
        # kubectl logs.go: `error from server (NotFound): %w in namespace %q`, printed after `error: `
        prefix = "Error from server (NotFound): "
        text = str(err)[len(prefix) :] if str(err).startswith(prefix) else str(err)
        raise CommandError(
            f'error: error from server (NotFound): {text} in namespace "{_ns(args)}"'
        ) from None
    cname, sb, ctr = _container_of(c, pod, args)
    try:
        lines = container_log_lines(pod, cname, ctr, args.has("-p", "--previous"))
    except CommandError as err:
        # kubectl writes the `Defaulted container` note to stderr before it asks for the log, so it heads the
        # kubelet's refusal too
        note = "".join(notes) + _defaulted(pod, args)
        if not note:
            raise
        raise CommandError(note + str(err)) from None
    # --since (a Go duration) keeps the lines written since then; --timestamps prefixes each line with its
    # kubelet time, in the user's clock as every printed time (visualizer/engine/wallclock.py)
    times = line_times(ctr or {}, lines, args.has("-p", "--previous"))
    since = args.get("--since")
    if since is not None:
        seconds = go_duration(since)
        if seconds is None:
            raise CommandError(
                f'error: invalid argument "{since}" for "--since" flag: time: invalid duration "{since}"\n'
                "See 'kubectl logs --help' for usage."
            )
        keep = [(t, line) for t, line in zip(times, lines, strict=True) if t >= c.clock.now - seconds]
        times, lines = [t for t, _ in keep], [line for _, line in keep]
    if args.has("--timestamps"):
        shift = display_offset.get()
        lines = [f"{nano_stamp(t + shift)} {line}" for t, line in zip(times, lines, strict=True)]
    tail = args.int("--tail", default=-1)
    if tail is not None and tail >= 0:
        lines = lines[-tail:] if tail else []
    if args.has("-f", "--follow"):
        lines = [*lines, FOLLOW_NOTE]
    return "".join(notes) + _defaulted(pod, args) + "\n".join(lines)


def container_log_lines(pod: dict, cname: str, ctr: dict | None, previous: bool) -> list[str]:
    """Returns the log lines of a pod's container (its previous instance with `previous`), or raises
    CommandError with the kubelet's refusal as kubectl prints it (`Error from server (BadRequest): …`):
    a container that never started is `waiting to start`; `previous` without a restart has no previous
    terminated container [S kubernetes pkg/kubelet/kubelet_pods.go `validateContainerLogStatus`].
    Shared by the console's `kubectl logs` and the REST face's pods/log (visualizer.kubeapi.logs)."""
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

    if previous and not ctr["restartCount"]:
        raise CommandError(
            f'Error from server (BadRequest): previous terminated container "{cname}" in pod "{name}" '
            "not found"
        )
    return log_lines(ctr["prevLogs"] if previous else ctr["logs"])


# `-f/--follow` (logs) and `-w/--watch` (get) keep a real kubectl streaming until Ctrl-C; the console answers
# one line with one reply, so it prints what the first moment of the stream shows and says so.
FOLLOW_NOTE = (
    "(--follow: this console cannot stream; these are the log lines so far. "
    "Run the command again, or `sim wait SECONDS` first, to see newer lines.)"
)
WATCH_NOTE = (
    "(--watch: this console cannot stream; this is the list as it is now. "
    "Run the command again, or `sim wait SECONDS` first, to see the changes.)"
)


_SHELLS = ("sh", "bash", "ash", "dash", "zsh", "ksh")


def _interactive_shell(command: list[str]) -> bool:
    """Returns True when the exec command starts a shell that would read commands from a terminal
    (`bash`, `/bin/sh`, `sh -i`, `bash -l`), i.e. one given no `-c SCRIPT` and no script file."""
    if command[0].rsplit("/", 1)[-1] not in _SHELLS:
        return False
    return all(w.startswith("-") and "c" not in w.lstrip("-") for w in command[1:])


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
    if args.has("-i", "--stdin", "-t", "--tty") and _interactive_shell(args.rest):
        target = args.positional[0]
        raise CommandError(
            "error: this web console has no terminal to attach to, so an interactive shell "
            f"(`kubectl exec -it {target} -- {' '.join(args.rest)}`) is not available.\n"
            "Run one command at a time instead; it runs in the container's shell:\n"
            f"  kubectl exec {target} -- sh -c 'echo $HOSTNAME; ls /'\n"
            f"  kubectl exec {target} -- cat /etc/hostname"
        )
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


_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def _meta_edit(c, args: Args, field: str) -> str:
    """`kubectl label|annotate TYPE NAME… k=v k2-` or `TYPE -l SELECTOR|--all k=v` (kubectl label.go, annotate.go).

    A key that already has another value needs `--overwrite`; removing an absent label prints
    `label "k" not found.`; `--dry-run=client|server` stores nothing and adds ` (dry run)`; `-o` prints the
    object; `label --list` prints the labels.
    """
    pos = args.positional
    pairs = [w for w in pos if "=" in w or (w.endswith("-") and len(w) > 1)]
    refs = [w for w in pos if w not in pairs]
    listing = field == "labels" and args.has("--list")
    if not pairs and not listing:
        raise CommandError(f"error: at least one {field[:-1]} update is required")
    dry = _dry_run(args)
    fmt = args.get("-o", "--output")
    if fmt is not None:
        _check_output_format(fmt, _OBJECT_FORMATS)
    removed = {p[:-1] for p in pairs if "=" not in p}
    for p in pairs:
        if "=" in p and field == "labels":
            if p.count("=") != 1:
                raise CommandError(f"error: invalid label spec: {p}")
            value = p.split("=", 1)[1]
            if len(value) > 63 or not _LABEL_VALUE.match(value):
                raise CommandError(
                    f'error: invalid label value: "{p}": a valid label must be an empty string or consist of '
                    "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                    "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
                )
        if "=" in p and p.split("=", 1)[0] in removed:
            raise CommandError(f"error: can not both modify and remove a {field[:-1]} in the same command")
    selector = args.get("-l", "--selector") or args.get("--field-selector")
    if selector or args.has("--all"):
        if selector and args.has("--all"):
            raise CommandError("error: cannot set --all and --selector at the same time")
        if not refs:
            raise CommandError(
                'error: you must specify the type of resource to get. Use "kubectl api-resources" for a complete '
                "list of supported resources."
            )
        if len(refs) > 1 or "/" in refs[0]:
            raise CommandError("error: name cannot be provided when a selector is specified")
        res = _resource(refs[0])
        ns = _ns(args)
        objs = _select(_listing(c, res, ns), args, res.kind)
        if not objs:
            return f"No resources found in {ns} namespace." if res.namespaced else "No resources found"
        targets = [(res, o["metadata"]["name"]) for o in sorted(objs, key=lambda o: o["metadata"]["name"])]
    else:
        targets = _targets(c, args, refs)
        if not targets:
            raise CommandError("error: resource(s) were provided, but no name was specified")
    suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry, "")
    out = []
    for res, name in targets:
        obj = _get_obj(c, res, _ns(args), name)
        if listing:
            labels = obj["metadata"].get("labels") or {}
            prefix = "" if len(targets) == 1 else " "
            if len(targets) > 1:
                out.append(f"Listing labels for {obj['kind']}.{res.group}/{name}:")
            out += [f"{prefix}{k}={v}" for k, v in sorted(labels.items())]
            continue
        upd = clone(obj)
        values = upd["metadata"].setdefault(field, {})
        conflicts = [
            (k, values[k])
            for k, _, v in (p.partition("=") for p in pairs if "=" in p)
            if k in values and values[k] != v and not args.has("--overwrite")
        ]
        if conflicts and field == "labels":
            k, v = conflicts[0]
            raise CommandError(f"error: '{k}' already has a value ({v}), and --overwrite is false")
        if conflicts:
            found = ", ".join(f"'{k}' already has a value ({v})" for k, v in conflicts)
            raise CommandError(
                f"error: --overwrite is false but found the following declared annotation(s): {found}"
            )
        for p in pairs:
            if p.endswith("-") and "=" not in p:
                if p[:-1] not in values and field == "labels":
                    out.append(f'label "{p[:-1]}" not found.')
                values.pop(p[:-1], None)
                continue
            k, _, v = p.partition("=")
            values[k] = v
        if not values:
            upd["metadata"].pop(field)
        message = _change_message(field, obj["metadata"].get(field) or {}, upd["metadata"].get(field) or {})
        if upd != obj and dry == "none":
            upd = c.api.update(upd, "kubectl", user=True, verb=field[:-1]) or upd
        if fmt == "json":
            # label/annotate work on unstructured objects: Go's encoder sorts their keys.
            out.append(json.dumps(upd, indent=4, ensure_ascii=False, sort_keys=True))
        elif fmt is not None:
            out.append(_print_object(upd, fmt))
        else:
            out.append(f"{res.name_prefix}/{name} {message}{suffix}")
    return "\n".join(out)


def _change_message(field: str, old: dict, new: dict) -> str:
    """kubectl label's updateDataChangeMsg (`labeled`, `unlabeled`, `modified`, `not labeled`);
    annotate always prints `annotated`."""
    if field == "annotations":
        return "annotated"
    unlabeled = any(k not in new for k in old)
    labeled = any(k not in old or old[k] != new[k] for k in new)
    if labeled and unlabeled:
        return "modified"
    return "labeled" if labeled else "unlabeled" if unlabeled else "not labeled"


def _cmd_label(c, args: Args, stdin) -> str:
    return _meta_edit(c, args, "labels")


def _cmd_annotate(c, args: Args, stdin) -> str:
    return _meta_edit(c, args, "annotations")


# ---------------------------------------------------------------------------------------------- misc
def _cmd_version(c, args: Args, stdin) -> str:
    """`kubectl version [--client] [-o json|yaml]`: the pinned kubectl's client info and the simulated API
    server's `/version` (kubectl pkg/cmd/version/version.go; the Info fields of k8s.io/apimachinery/pkg/version).
    """
    from ..cluster import K8S_VERSION

    fmt = args.get("-o", "--output", default="")
    if fmt not in ("", "json", "yaml"):
        raise CommandError("error: --output must be 'yaml' or 'json'")
    client_only = args.has("--client")
    data = {
        "clientVersion": _version_info(KUBECTL_VERSION, server=False),
        "kustomizeVersion": KUSTOMIZE_VERSION,
    }
    if not client_only:
        data["serverVersion"] = _version_info(K8S_VERSION, server=True)
    if fmt == "json":
        return json.dumps(data, indent=2)
    if fmt == "yaml":
        return printers.to_yaml(data).rstrip("\n")
    lines = [f"Client Version: {KUBECTL_VERSION}", f"Kustomize Version: {KUSTOMIZE_VERSION}"]
    if not client_only:
        lines.append(f"Server Version: {K8S_VERSION}")
    return "\n".join(lines)


# The kubectl this console imitates: the binary pinned in pyproject.toml (`kubectl version --client`).
KUBECTL_VERSION = "v1.37.1"
KUSTOMIZE_VERSION = "v5.8.1"
_BUILD = {"gitCommit": "f78e722310e50bcaca9276be22276d9e91d91308", "buildDate": "2026-09-23T17:10:04Z"}


def _version_info(version: str, server: bool) -> dict:
    """Returns a version.Info dict in its Go field order; a server also reports its emulation version and the
    minimum compatibility version (one minor back), as kube-apiserver does since v1.33."""
    major, minor = version.lstrip("v").split(".")[:2]
    info = {"major": major, "minor": minor}
    if server:
        info |= {
            "emulationMajor": major,
            "emulationMinor": minor,
            "minCompatibilityMajor": major,
            "minCompatibilityMinor": str(int(minor) - 1),
        }
    return info | {
        "gitVersion": version,
        "gitCommit": _BUILD["gitCommit"],
        "gitTreeState": "clean",
        "buildDate": _BUILD["buildDate"],
        "goVersion": "go1.26.8",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def _cmd_cluster_info(c, args: Args, stdin) -> str:
    return (
        f"Kubernetes control plane is running at https://{c.node_ip('control-plane')}:6443\n"
        f"CoreDNS is running at https://{c.node_ip('control-plane')}:6443/api/v1/namespaces/kube-system/services/"
        "kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'."
    )


# Resources the API serves from what the engine keeps elsewhere (visualizer/kubeapi/catalog.py: Events, node
# Leases, EndpointSlices derived from Endpoints, metrics.k8s.io, the self reviews of kubeapi/authz.py):
# (plural, short names, apiVersion, namespaced, kind), as discovery lists them.
SERVED_ELSEWHERE = (
    ("selfsubjectreviews", "", "authentication.k8s.io/v1", False, "SelfSubjectReview"),
    ("selfsubjectaccessreviews", "", "authorization.k8s.io/v1", False, "SelfSubjectAccessReview"),
    ("selfsubjectrulesreviews", "", "authorization.k8s.io/v1", False, "SelfSubjectRulesReview"),
    ("events", "ev", "v1", True, "Event"),
    ("leases", "", "coordination.k8s.io/v1", True, "Lease"),
    ("endpointslices", "", "discovery.k8s.io/v1", True, "EndpointSlice"),
    ("events", "ev", "events.k8s.io/v1", True, "Event"),
    ("nodes", "", "metrics.k8s.io/v1beta1", False, "NodeMetrics"),
    ("pods", "", "metrics.k8s.io/v1beta1", True, "PodMetrics"),
)


def _cmd_api_resources(c, args: Args, stdin) -> str:
    """kubectl api-resources: every served resource of the preferred versions, sorted by API group and then
    by name (kubectl pkg/cmd/apiresources sortableResource); `--namespaced=true|false` and `--api-group=G`
    filter."""
    rows = [(r.plural, ",".join(r.short), r.api_version, r.namespaced, r.kind) for r in RESOURCES]
    rows += list(SERVED_ELSEWHERE)
    namespaced = args.get("--namespaced")
    if namespaced is not None:
        if namespaced.lower() not in ("true", "false", "1", "0", "t", "f"):
            raise CommandError(
                f'error: invalid argument "{namespaced}" for "--namespaced" flag: strconv.ParseBool: parsing '
                f"\"{namespaced}\": invalid syntax\nSee 'kubectl api-resources --help' for usage."
            )
        want = namespaced.lower() in ("true", "1", "t")
        rows = [r for r in rows if r[3] == want]
    group = args.get("--api-group")
    if group is not None:
        rows = [r for r in rows if (r[2].rpartition("/")[0]) == group]

    def group_of(row) -> str:
        return row[2].rpartition("/")[0]

    rows.sort(key=lambda r: (group_of(r), r[0]))
    cells = [[r[0], r[1], r[2], str(r[3]).lower(), r[4]] for r in rows]
    return printers.table(["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"], cells)


def _cmd_top(c, args: Args, stdin) -> str:
    """`kubectl top pods|nodes` from the simulated metrics (top.py, shared with the REST metrics API)."""
    from . import top

    what = args.positional[0] if args.positional else ""
    names = args.positional[1:]
    if what in ("pod", "pods", "po"):
        ns = None if args.has("-A", "--all-namespaces") else _ns(args)
        pods = _select(c.store.list("Pod", ns), args, "Pod")
        if names:
            pods = [p for p in pods if p["metadata"]["name"] in names]
            if not pods or top.pod_usage(c, pods[0]) is None:
                raise ApiError(
                    f'Error from server (NotFound): podmetrics.metrics.k8s.io "{names[0]}" not found',
                    "NotFound",
                    404,
                )
        sort_by = args.get("--sort-by") or ""
        text = top.pods_text(c, ns, args.has("--containers"), pods, sort_by, args.has("--sum"))
    elif what in ("node", "nodes", "no"):
        nodes = _select(c.store.list("Node"), args, "Node")
        if names:
            nodes = [n for n in nodes if n["metadata"]["name"] in names]
            if not nodes or top.node_usage(c, nodes[0]) is None:
                raise ApiError(
                    f'Error from server (NotFound): nodemetrics.metrics.k8s.io "{names[0]}" not found',
                    "NotFound",
                    404,
                )
        text = top.nodes_text(c, nodes, args.has("--show-capacity"), args.get("--sort-by") or "")
    else:
        raise CommandError("error: top needs `pods` or `nodes`")
    if text.startswith("error: "):
        raise CommandError(text)
    return text


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
