"""`sim …`: teaching actions a student cannot type on a real cluster (break things, add load, send traffic).

crash POD | fail-node NODE | recover-node NODE | probe-fail POD readiness|liveness | probe-ok POD |
load DEPLOYMENT PERCENT | traffic SERVICE N | encrypt-at-rest on|off | wait SECONDS | images |
addons enable|disable ingress | addons list | curl http://HOST/PATH (through the ingress controller) |
limits (how many objects of each kind this cluster holds and may hold)
"""

from __future__ import annotations

from .controllers.hpa import pod_cpu_request
from .controllers.ingress import sim_addons as _addons  # noqa: F401 (dispatched by name)
from .controllers.ingress import sim_curl as _curl  # noqa: F401 (dispatched by name)
from .kubectl.args import CommandError
from .narration import narrate
from .objects import BY_KIND, clone, did_you_mean, etcd_key
from .registry import catalogue_lines

SUBCOMMANDS = (
    "crash",
    "fail-node",
    "recover-node",
    "probe-fail",
    "probe-ok",
    "load",
    "traffic",
    "encrypt-at-rest",
    "wait",
    "images",
    "addons",
    "curl",
    "limits",
    "help",
)
MAX_TRAFFIC = 10_000
MAX_WAIT = 3600


def is_mutating(words: list[str]) -> bool:
    """Returns False for the read-only subcommands."""
    return bool(words) and words[0] not in ("images", "limits", "help")


def run(c, words: list[str], stdin) -> str:
    """Runs one `sim` subcommand."""
    if not words or words[0] == "help":
        return __doc__.split("\n\n", 1)[1].strip()
    sub, args = words[0], words[1:]
    if sub not in SUBCOMMANDS:
        guess = did_you_mean(sub, SUBCOMMANDS)
        raise CommandError(
            f'error: unknown sim command "{sub}"'
            + (f"\nDid you mean: {', '.join(guess)}?" if guess else "\nTry: sim help")
        )
    ns = "default"
    if "-n" in args:
        i = args.index("-n")
        if i + 1 >= len(args):
            raise CommandError("error: flag needs an argument: -n")
        ns = args[i + 1]
        args = args[:i] + args[i + 2 :]
    return globals()["_" + sub.replace("-", "_")](c, args, ns)


def _need(args, n, usage):
    if len(args) != n:
        raise CommandError(f"error: usage: sim {usage}")


def _pod_key(c, name: str, ns: str) -> str:
    key = etcd_key(BY_KIND["Pod"], ns, name.removeprefix("pod/"))
    if c.store.get(key) is None:
        raise CommandError(f'Error from server (NotFound): pods "{name.removeprefix("pod/")}" not found')
    return key


def _crash(c, args, ns) -> str:
    _need(args, 1, "crash POD")
    name = args[0]
    # A bare docker container of that name on the docker host?
    for node, rn in c.runtime.data["nodes"].items():
        d = c.runtime.docker_find(node, name) if rn["up"] else None
        if d is not None and not name.startswith("pod/"):
            if d["state"] != "running":
                raise CommandError(f"error: container {d['name']} is not running")
            d["logs"].append("*** simulated crash: main process exited with code 1 ***")
            c.runtime.docker_exit(node, d, 1)
            return f"container {d['name']} crashed (exit code 1)"
    key = _pod_key(c, name, ns)
    if not c.kubelet.crash(key):
        raise CommandError(f"error: pod {name} has no running container to crash")
    return f"pod/{name.removeprefix('pod/')} main container exited with code 1"


def _node(c, args, usage):
    _need(args, 1, usage)
    name = args[0].removeprefix("node/")
    if c.runtime.node(name) is None:
        raise CommandError(f'Error from server (NotFound): nodes "{name}" not found')
    return name


def _fail_node(c, args, ns) -> str:
    name = _node(c, args, "fail-node NODE")
    if name == "control-plane":
        raise CommandError("error: the simulator keeps the control plane up (fail a worker instead)")
    if not c.runtime.is_up(name):
        raise CommandError(f"error: node {name} is already down")
    c.runtime.fail_node(name)
    c.nodes.wake_up()
    step, ko, en = narrate("node-failed", node=name)
    c.emit(
        "Warning",
        "NodeDown",
        f"node/{name}",
        "sim",
        f"Machine {name} powered off",
        ko,
        en,
        step,
        namespace="",
        quiet=True,
    )
    c.touch("nodes", name)
    for pod in c.store.pods_on(name):
        c.touch("pods", f"{pod['metadata']['namespace']}/{pod['metadata']['name']}")
    return (
        f"node/{name} is down: its kubelet stops reporting. Watch: NotReady after about 50s, pods evicted "
        "after 300s more"
    )


def _recover_node(c, args, ns) -> str:
    name = _node(c, args, "recover-node NODE")
    if c.runtime.is_up(name):
        raise CommandError(f"error: node {name} is not down")
    c.runtime.recover_node(name)
    c.nodes.wake_up()
    step, ko, en = narrate("node-recovered", node=name)
    c.emit(
        "Normal",
        "NodeUp",
        f"node/{name}",
        "sim",
        f"Machine {name} booted",
        ko,
        en,
        step,
        namespace="",
        quiet=True,
    )
    c.touch("nodes", name)
    for pod in c.store.pods_on(name):
        c.enqueue("kubelet", etcd_key(BY_KIND["Pod"], pod["metadata"]["namespace"], pod["metadata"]["name"]))
    return f"node/{name} is back up"


def _probe_fail(c, args, ns) -> str:
    _need(args, 2, "probe-fail POD readiness|liveness")
    key = _pod_key(c, args[0], ns)
    which = args[1]
    if which not in ("readiness", "liveness", "startup"):
        raise CommandError("error: the probe must be readiness or liveness")
    pod = c.store.get(key)
    probe = f"{which}Probe"
    if not any(ctr.get(probe) for ctr in pod["spec"]["containers"]):
        raise CommandError(f"error: pod {args[0]} has no {which} probe; add one to the pod template first")
    c.runtime.data["faults"].setdefault(key, {})[which] = True
    c.touch("pods", f"{ns}/{args[0]}")
    return f"pod/{args[0]} now fails its {which} probe (until `sim probe-ok {args[0]}`)"


def _probe_ok(c, args, ns) -> str:
    _need(args, 1, "probe-ok POD")
    key = _pod_key(c, args[0], ns)
    if not c.runtime.data["faults"].pop(key, None):
        return f"pod/{args[0]} probes were already passing"
    c.touch("pods", f"{ns}/{args[0]}")
    return f"pod/{args[0]} probes pass again"


def _load(c, args, ns) -> str:
    _need(args, 2, "load DEPLOYMENT PERCENT")
    name = args[0].removeprefix("deployment/").removeprefix("deploy/")
    d = c.api.get("Deployment", ns, name)
    if d is None:
        raise CommandError(f'Error from server (NotFound): deployments.apps "{name}" not found')
    try:
        pct = float(args[1].rstrip("%"))
    except ValueError:
        raise CommandError(f"error: PERCENT must be a number, got {args[1]!r}") from None
    if not 0 <= pct <= 1000:
        raise CommandError("error: PERCENT must be between 0 and 1000")
    pods = [
        p
        for p in c.store.pods_matching(ns, (d["spec"]["selector"] or {}).get("matchLabels") or {})
        if not p["metadata"].get("deletionTimestamp")
    ]
    per_pod = None
    for p in pods:
        per_pod = pod_cpu_request(p)
        if per_pod is not None:
            break
    if per_pod is None:
        tmpl = clone(d["spec"]["template"])
        tmpl.setdefault("spec", {})
        per_pod = pod_cpu_request({"spec": tmpl["spec"]}) or 100
    demand = pct / 100 * per_pod * d["spec"].get("replicas", 1)
    key = etcd_key(BY_KIND["Deployment"], ns, name)
    c.runtime.data["load"][key] = demand
    for p in pods:
        c.touch("pods", f"{ns}/{p['metadata']['name']}")
    return (
        f"deployment/{name}: constant CPU demand of {int(demand)}m ({pct:g}% of the requests of "
        f"{d['spec'].get('replicas', 1)} replicas), shared by its running pods"
    )


def _traffic(c, args, ns) -> str:
    _need(args, 2, "traffic SERVICE N")
    name = args[0].removeprefix("service/").removeprefix("svc/")
    svc = c.api.get("Service", ns, name)
    if svc is None:
        raise CommandError(f'Error from server (NotFound): services "{name}" not found')
    try:
        n = int(args[1])
    except ValueError:
        raise CommandError(f"error: N must be an integer, got {args[1]!r}") from None
    if not 1 <= n <= MAX_TRAFFIC:
        raise CommandError(f"error: N must be between 1 and {MAX_TRAFFIC}")
    served: dict[str, int] = {}
    failed = timed_out = 0
    for _ in range(n):
        chosen = c.kube_proxy.route(ns, name)
        if chosen is None:
            failed += 1
            continue
        if chosen.get("timeout"):
            timed_out += 1
            continue
        pod = chosen["targetRef"]["name"]
        served[pod] = served.get(pod, 0) + 1
    lines = [f"sent {n} requests to service/{name} ({svc['spec'].get('clusterIP')}) through kube-proxy"]
    for pod, count in sorted(served.items()):
        lines.append(f"  {pod}: {count}")
    if timed_out:
        lines.append(
            f"  timed out: {timed_out} (sent to pods on a dead node the control plane has not noticed yet)"
        )
    if failed:
        lines.append(f"  connection refused: {failed} (no ready endpoints)")
    return "\n".join(lines)


def _encrypt_at_rest(c, args, ns) -> str:
    _need(args, 1, "encrypt-at-rest on|off")
    if args[0] not in ("on", "off"):
        raise CommandError("error: usage: sim encrypt-at-rest on|off")
    on = args[0] == "on"
    if c.encrypt_at_rest == on:
        return f"encryption at rest is already {args[0]}"
    c.encrypt_at_rest = on
    # Existing Secrets are re-encrypted only when rewritten; rewrite them all, as the documented procedure does.
    for s in list(c.store.list("Secret")):
        c.api.update_status(clone(s), "apiserver")
    c.touch("encryption", "")
    if on:
        return (
            "encryption at rest is on (aescbc): Secrets are now stored in etcd as k8s:enc:aescbc:v1:key1:…; "
            "kubectl still shows base64"
        )
    return "encryption at rest is off: Secrets are stored in etcd as plain base64 again"


def _wait(c, args, ns) -> str:
    _need(args, 1, "wait SECONDS")
    try:
        seconds = float(args[0].rstrip("s"))
    except ValueError:
        raise CommandError(f"error: SECONDS must be a number, got {args[0]!r}") from None
    if not 0 <= seconds <= MAX_WAIT:
        raise CommandError(f"error: SECONDS must be between 0 and {MAX_WAIT}")
    target = c.clock.now + seconds
    while True:
        fired = c.clock.pop_due(target)
        if fired is None:
            break
        for queue, key in fired:
            c.enqueue(queue, key)
        c._drain()
    c.clock.now = target
    return f"waited {seconds:g}s (simulated time is now {c.clock.now:g}s)"


def _limits(c, args, ns) -> str:
    """`sim limits`: the simulator's per-cluster object ceilings, as `kubectl describe quota` shows a quota."""
    from .admission import OBJECT_QUOTA, object_counts

    if args:
        raise CommandError("error: sim limits takes no arguments")
    rows = [("Resource", "Used", "Hard"), ("--------", "----", "----")]
    rows += [(name, str(used), str(limit)) for _, name, used, limit in object_counts(c)]
    width = [max(len(r[i]) for r in rows) for i in range(2)]
    lines = [f"{r[0].ljust(width[0])}  {r[1].ljust(width[1])}  {r[2]}" for r in rows]
    return (
        f"Name:       {OBJECT_QUOTA}\n"
        "Scope:      the whole cluster (user requests); `kubectl get quota -A` shows it as a ResourceQuota "
        "in every namespace\n" + "\n".join(lines)
    )


def _images(c, args, ns) -> str:
    if args:  # `sim images nginx`: every tag of one repository, with its size
        try:
            return "\n".join(catalogue_lines(args[0]))
        except KeyError:
            raise CommandError(f"sim images: no repository {args[0]!r} in the simulated registry") from None
    return (
        "Images the simulated registry knows (anything else fails with ErrImagePull; `sim images NAME` lists "
        "every tag):\n" + "\n".join("  " + line for line in catalogue_lines())
    )
