"""kubectl's client-side generators: the objects `create <kind>`, `run` and `expose` build before sending.

Each function returns the object exactly as kubectl v1.37 builds it, with its keys in the Go struct field order
(`kind`, `apiVersion`, `metadata`, `spec`, `status`), so `printers.to_json` prints it byte for byte as
`kubectl … --dry-run=client -o json` does (`-o yaml` sorts keys, as kubectl's YAML printer does). Empty structs
that Go always serialises are kept (`status: {}`, `resources: {}`, `strategy: {}`, `status.loadBalancer: {}`);
kubectl 1.37 prints no `creationTimestamp: null` any more. `metadata.namespace` is set only when `-n` was
given (kubectl's `EnforceNamespace`). Errors are kubectl's own words, raised as `CommandError`.

Sources: kubernetes/kubectl `pkg/cmd/create/create_{deployment,service,configmap,secret,secret_docker,
namespace,job,cronjob,ingress,quota,pdb}.go`, `pkg/cmd/run/run.go` + `pkg/generate/versioned/run.go`
(`BasicPod`), `pkg/cmd/expose/expose.go` + `pkg/generate/versioned/service.go`; checked against the real
kubectl 1.37.1 by `tests/engine/test_generators_oracle.py`.
"""

from __future__ import annotations

import base64
import json
import re
from decimal import Decimal, InvalidOperation

from ..objects import random_suffix
from .args import Args, CommandError

_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
# create_ingress.go ruleRegex: host/path=svcname:svcport[,tls[=secret]]
_INGRESS_RULE = re.compile(r"^(?:[\w.*-]*)?/(?:[^=]*)=(?:[\w][\w-]*:[\w-]+)(?:,tls(?:=[\w-]+)?)?$")
_QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")


def usage_error(command: str, message: str) -> CommandError:
    """Returns kubectl's UsageErrorf: the message and `See 'kubectl COMMAND -h' for help and examples`."""
    return CommandError(f"error: {message}\nSee 'kubectl {command} -h' for help and examples")


def one_name(command: str, words: list[str]) -> str:
    """Returns the single NAME argument; raises kubectl's `exactly one NAME is required, got N`."""
    if len(words) != 1:
        raise usage_error(command, f"exactly one NAME is required, got {len(words)}")
    return words[0]


def int_flag(args: Args, names: tuple[str, ...], label: str, command: str, default: int) -> int:
    """Returns an int32 flag; a non-number is pflag's error plus `See 'kubectl COMMAND --help' for usage.`."""
    value = args.get(*names)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise CommandError(
            f'error: invalid argument "{value}" for "{label}" flag: strconv.ParseInt: parsing "{value}": '
            f"invalid syntax\nSee 'kubectl {command} --help' for usage."
        ) from None


def _meta(name: str, namespace: str | None, **fields) -> dict:
    """Returns ObjectMeta in Go field order: name, namespace, labels, annotations, ownerReferences."""
    meta: dict = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    for key in ("labels", "annotations", "ownerReferences"):
        if fields.get(key):
            meta[key] = fields[key]
    return meta


def _container(name: str, image: str, command: list[str] | None = None, **fields) -> dict:
    """Returns a Container in Go field order (name, image, command, args, ports, env, resources, …)."""
    ctr: dict = {"name": name, "image": image}
    if command:
        ctr["command"] = command
    for key in ("args", "ports", "env"):
        if fields.get(key):
            ctr[key] = fields[key]
    ctr["resources"] = {}
    if fields.get("imagePullPolicy"):
        ctr["imagePullPolicy"] = fields["imagePullPolicy"]
    for key in ("stdin", "stdinOnce", "tty"):
        if fields.get(key):
            ctr[key] = True
    return ctr


def _required(args: Args, flag: str) -> str:
    value = args.get(f"--{flag}")
    if not value:
        raise CommandError(f'error: required flag(s) "{flag}" not set')
    return value


# ------------------------------------------------------------------------------------------ create deployment
def container_name_for(image: str, rng) -> str:
    """Returns the container name `create deployment` derives from an image.

    Keeps the last path element without tag or digest; `_` and `.` become `-` plus a random 5-letter suffix
    (create_deployment.go `sanitizeAndUniquify`; the suffix comes from the cluster's seeded rng).
    """
    name = image.split("/")[-1].split(":")[0].split("@")[0]
    if "_" in name or "." in name:
        name = name.replace("_", "-").replace(".", "-") + "-" + random_suffix(rng)
    return name


def deployment(name: str, namespace: str | None, args: Args, command: list[str], rng) -> dict:
    """Returns the apps/v1 Deployment of `kubectl create deployment NAME --image=I… [--replicas] [--port]`."""
    images = args.all("--image")
    if not images:
        raise CommandError('error: required flag(s) "image" not set')
    if len(images) > 1 and command:
        raise CommandError("error: cannot specify multiple --image options and command")
    replicas = int_flag(args, ("--replicas", "-r"), "-r, --replicas", "create deployment", 1)
    port = int_flag(args, ("--port",), "--port", "create deployment", -1)
    labels = {"app": name}
    containers = [
        _container(
            container_name_for(image, rng),
            image,
            command,
            ports=[{"containerPort": port}] if i == 0 and port >= 0 else None,
        )
        for i, image in enumerate(images)
    ]
    return {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": _meta(name, namespace, labels=dict(labels)),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {"metadata": {"labels": dict(labels)}, "spec": {"containers": containers}},
            "strategy": {},
        },
        "status": {},
    }


# ------------------------------------------------------------------------------------------ create service
SERVICE_TYPES = {
    "clusterip": "ClusterIP",
    "nodeport": "NodePort",
    "loadbalancer": "LoadBalancer",
    "externalname": "ExternalName",
}


def _service_port(spec: str) -> dict:
    """Returns one ServicePort of `--tcp=port[:targetPort]` (create_service.go `parsePorts`)."""
    parts = spec.split(":")
    if not parts[0].isdigit():
        raise CommandError(f'error: strconv.ParseUint: parsing "{parts[0]}": invalid syntax')
    port = int(parts[0])
    if port > 65535:
        raise CommandError(f'error: strconv.ParseUint: parsing "{parts[0]}": value out of range')
    target: int | str = port
    if len(parts) > 1:
        if parts[1].lstrip("-").isdigit():
            target = int(parts[1])
            if not 1 <= target <= 65535:
                raise CommandError("error: must be between 1 and 65535, inclusive")
        else:
            if not _PORT_NAME.match(parts[1]) or len(parts[1]) > 15:
                raise CommandError(
                    "error: must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
                )
            target = parts[1]
    return {"name": spec.replace(":", "-"), "protocol": "TCP", "port": port, "targetPort": target}


def service(stype_word: str, name: str, namespace: str | None, args: Args) -> dict:
    """Returns the v1 Service of `kubectl create service TYPE NAME --tcp=… [--node-port] [--clusterip]`."""
    stype = SERVICE_TYPES[stype_word]
    external = ""
    if stype == "ExternalName":
        external = _required(args, "external-name")
    cluster_ip = args.get("--clusterip", default="")
    tcp = args.all("--tcp")
    if cluster_ip == "None" and stype != "ClusterIP":
        raise CommandError("error: ClusterIP=None can only be used with ClusterIP service type")
    if cluster_ip != "None" and not tcp and stype != "ExternalName":
        raise CommandError("error: at least one tcp port specifier must be provided")
    if stype == "ExternalName" and not re.match(
        r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", external
    ):
        raise CommandError(f"error: invalid service external name {external}")
    node_port = int_flag(args, ("--node-port",), "--node-port", f"create service {stype_word}", 0)
    ports = []
    for spec in tcp:
        port = _service_port(spec)
        if node_port:
            port["nodePort"] = node_port
        ports.append(port)
    spec: dict = {}
    if ports:
        spec["ports"] = ports
    spec["selector"] = {"app": name}
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    spec["type"] = stype
    if external:
        spec["externalName"] = external
    return {
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": _meta(name, namespace, labels={"app": name}),
        "spec": spec,
        "status": {"loadBalancer": {}},
    }


# ------------------------------------------------------------------------------------------ configmap / secret
def _literal_data(kind: str, name: str, literals: list[str]) -> dict[str, str]:
    """Returns key → value of `--from-literal=key=value`, refusing bad and duplicate keys as kubectl does."""
    data: dict[str, str] = {}
    for lit in literals:
        key, eq, value = lit.partition("=")
        if not eq or not key:
            raise CommandError(f"error: invalid literal source {lit}, expected key=value")
        if not _CONFIG_KEY.match(key):
            raise CommandError(
                f'error: "{key}" is not a valid key name for a {kind}: a valid config key must consist of '
                "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', "
                "regex used for validation is '[-._a-zA-Z0-9]+')"
            )
        if key in data:
            raise CommandError(
                f'error: cannot add key "{key}", another key by that name already exists in Data for {kind} "{name}"'
            )
        data[key] = value
    return data


def _refuse_files(args: Args) -> None:
    """The console has no local files: `--from-file`/`--from-env-file` fail as kubectl does on a missing file."""
    for flag in ("--from-file", "--from-env-file"):
        for source in args.all(flag):
            path = source.split("=", 1)[-1]
            raise CommandError(
                f"error: error reading {path}: no such file or directory\n(this console has no local files: "
                "use --from-literal=key=value, or `kubectl apply -f -` with the object's YAML)"
            )


def configmap(name: str, namespace: str | None, args: Args) -> dict:
    """Returns the v1 ConfigMap of `kubectl create configmap NAME --from-literal=k=v…`."""
    _refuse_files(args)
    data = _literal_data("ConfigMap", name, args.all("--from-literal"))
    obj: dict = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": _meta(name, namespace)}
    if data:
        obj["data"] = data
    return obj


def secret_generic(name: str, namespace: str | None, args: Args) -> dict:
    """Returns the v1 Secret of `kubectl create secret generic NAME --from-literal=k=v… [--type]`."""
    _refuse_files(args)
    data = _literal_data("Secret", name, args.all("--from-literal"))
    obj: dict = {"kind": "Secret", "apiVersion": "v1", "metadata": _meta(name, namespace)}
    if data:
        obj["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    if args.get("--type"):
        obj["type"] = args.get("--type")
    return obj


def secret_docker_registry(name: str, namespace: str | None, args: Args) -> dict:
    """Returns the `kubernetes.io/dockerconfigjson` Secret of `kubectl create secret docker-registry`."""
    _refuse_files(args)
    user = args.get("--docker-username") or ""
    password = args.get("--docker-password") or ""
    if not user or not password:
        raise CommandError(
            "error: either --from-file or the combination of --docker-username, --docker-password and "
            "--docker-server is required"
        )
    server = args.get("--docker-server", default="https://index.docker.io/v1/")
    entry = {"username": user, "password": password}
    if args.get("--docker-email"):
        entry["email"] = args.get("--docker-email")
    entry["auth"] = base64.b64encode(f"{user}:{password}".encode()).decode()
    config = json.dumps({"auths": {server: entry}}, separators=(",", ":"))
    data = {".dockerconfigjson": base64.b64encode(config.encode()).decode()}
    data.update(
        {
            k: base64.b64encode(v.encode()).decode()
            for k, v in _literal_data("Secret", name, args.all("--from-literal")).items()
        }
    )
    return {
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": _meta(name, namespace),
        "data": data,
        "type": "kubernetes.io/dockerconfigjson",
    }


def secret_tls(name: str, namespace: str | None, args: Args) -> dict:
    """`kubectl create secret tls` reads --cert and --key files, which this console does not have."""
    cert = _required(args, "cert")
    _required(args, "key")
    raise CommandError(
        f"error: Cannot read file {cert}, open {cert}: no such file or directory\n(this console has no local "
        "files: write the kubernetes.io/tls Secret as YAML and use `kubectl apply -f -`)"
    )


# ------------------------------------------------------------------------------------------ namespace / quota / pdb
def namespace_object(name: str) -> dict:
    """Returns the v1 Namespace of `kubectl create namespace NAME`."""
    return {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": name}, "spec": {}, "status": {}}


_DECIMAL_SUFFIX = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIX = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


def canonical_quantity(text: str) -> str:
    """Returns a quantity in its canonical form as apimachinery prints it (`1000m` → `1`, `1.5Gi` → `1536Mi`).

    Raises CommandError with resource.ParseQuantity's message on bad input. Source:
    apimachinery pkg/api/resource/quantity.go (`CanonicalizeBytes`: binary suffixes stay binary while the
    value is a whole number of bytes, decimal values use the largest exponent of 3 keeping an integer).
    """
    m = _QUANTITY.match(text)
    bad = CommandError(
        "error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )
    if not m:
        raise bad
    number, suffix = m.group(1), m.group(2)
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise bad from None
    if suffix in _BINARY_SUFFIX:
        value *= 2 ** _BINARY_SUFFIX[suffix]
        if value == value.to_integral_value() and value >= 1024:
            n, exp = int(value), 0
            while exp < 60 and n % 1024 == 0 and n >= 1024:
                n //= 1024
                exp += 10
            name = {0: "", 10: "Ki", 20: "Mi", 30: "Gi", 40: "Ti", 50: "Pi", 60: "Ei"}[exp]
            return f"{n}{name}"
        suffix_exp, fmt = 0, "si"
    elif suffix in _DECIMAL_SUFFIX:
        suffix_exp, fmt = _DECIMAL_SUFFIX[suffix], "si"
    elif suffix[:1] in ("e", "E") and re.match(r"^[eE][-+]?[0-9]+$", suffix):
        suffix_exp, fmt = int(suffix[1:]), "exp"
    else:
        raise bad
    value = value.scaleb(suffix_exp)
    if value == 0:
        return "0"
    # Round up to nano units, then pick the largest exponent (multiple of 3) with an integer mantissa.
    nanos = (value * 10**9).to_integral_value(rounding="ROUND_CEILING")
    exp = -9
    while exp < 18 and nanos % 1000 == 0:
        nanos //= 1000
        exp += 3
    if fmt == "exp":
        return f"{nanos}" + (f"e{exp}" if exp else "")
    names = {v: k for k, v in _DECIMAL_SUFFIX.items()}
    return f"{nanos}{names[exp]}"


def quota(name: str, namespace: str | None, args: Args) -> dict:
    """Returns the v1 ResourceQuota of `kubectl create quota NAME --hard=k=v,… [--scopes=A,B]`."""
    hard: dict[str, str] = {}
    for item in (args.get("--hard") or "").split(","):
        if not item:
            continue
        key, eq, value = item.partition("=")
        if not eq:
            raise CommandError(f"error: Invalid argument syntax {item}, expected <resource>=<value>")
        hard[key] = canonical_quantity(value)
    spec: dict = {}
    if hard:
        spec["hard"] = dict(sorted(hard.items()))
    scopes = [s for s in (args.get("--scopes") or "").split(",") if s]
    if scopes:
        spec["scopes"] = scopes
    return {
        "kind": "ResourceQuota",
        "apiVersion": "v1",
        "metadata": _meta(name, namespace),
        "spec": spec,
        "status": {},
    }


def _int_or_string(value: str) -> int | str:
    return int(value) if re.fullmatch(r"-?[0-9]+", value) else value


def pdb(name: str, namespace: str | None, args: Args) -> dict:
    """Returns the policy/v1 PodDisruptionBudget of `kubectl create pdb NAME --selector=… --min-available=N`."""
    selector = args.get("--selector")
    if not selector:
        raise CommandError("error: a selector must be specified")
    mn, mx = args.get("--min-available"), args.get("--max-unavailable")
    if not mn and not mx:
        raise CommandError("error: one of min-available or max-unavailable must be specified")
    if mn and mx:
        raise CommandError("error: min-available and max-unavailable cannot be both specified")
    match_labels = {}
    for part in selector.split(","):
        key, eq, value = part.partition("=")
        if not eq:
            raise CommandError(f'error: couldn\'t parse the selector string "{selector}"')
        match_labels[key] = value
    spec: dict = {}
    if mn:
        spec["minAvailable"] = _int_or_string(mn)
    spec["selector"] = {"matchLabels": match_labels}
    if mx:
        spec["maxUnavailable"] = _int_or_string(mx)
    return {
        "kind": "PodDisruptionBudget",
        "apiVersion": "policy/v1",
        "metadata": _meta(name, namespace),
        "spec": spec,
        "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0},
    }


# ------------------------------------------------------------------------------------------ job / cronjob / ingress
def job(name: str, namespace: str | None, args: Args, command: list[str]) -> dict:
    """Returns the batch/v1 Job of `kubectl create job NAME --image=I [-- COMMAND…]`."""
    image = args.get("--image")
    if not image or args.get("--from"):
        raise CommandError("error: either --image or --from must be specified")
    return {
        "kind": "Job",
        "apiVersion": "batch/v1",
        "metadata": _meta(name, namespace),
        "spec": {
            "template": {
                "metadata": {},
                "spec": {"containers": [_container(name, image, command)], "restartPolicy": "Never"},
            }
        },
        "status": {},
    }


def job_from_cronjob(name: str, namespace: str | None, cronjob: dict) -> dict:
    """Returns the Job of `kubectl create job NAME --from=cronjob/X`: X's jobTemplate, owned by X.

    Annotation `cronjob.kubernetes.io/instantiate: manual`, the template's labels, and an ownerReference
    with `controller: true` (create_job.go `createJobFromCronJob`).
    """
    template = cronjob["spec"].get("jobTemplate") or {}
    annotations = {"cronjob.kubernetes.io/instantiate": "manual"}
    annotations.update((template.get("metadata") or {}).get("annotations") or {})
    owner = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "name": cronjob["metadata"]["name"],
        "uid": cronjob["metadata"].get("uid", ""),
        "controller": True,
    }
    return {
        "kind": "Job",
        "apiVersion": "batch/v1",
        "metadata": _meta(
            name,
            namespace,
            labels=(template.get("metadata") or {}).get("labels"),
            annotations=annotations,
            ownerReferences=[owner],
        ),
        "spec": json.loads(json.dumps(template.get("spec") or {})),
        "status": {},
    }


def cronjob(name: str, namespace: str | None, args: Args, command: list[str]) -> dict:
    """Returns the batch/v1 CronJob of `kubectl create cronjob NAME --image=I --schedule=S [-- COMMAND…]`."""
    image = _required(args, "image")
    schedule = _required(args, "schedule")
    restart = args.get("--restart", default="OnFailure")
    return {
        "kind": "CronJob",
        "apiVersion": "batch/v1",
        "metadata": _meta(name, namespace),
        "spec": {
            "schedule": schedule,
            "jobTemplate": {
                "metadata": {"name": name},
                "spec": {
                    "template": {
                        "metadata": {},
                        "spec": {"containers": [_container(name, image, command)], "restartPolicy": restart},
                    }
                },
            },
        },
        "status": {},
    }


def _backend(service: str) -> dict:
    svc, _, port = service.partition(":")
    number = port if re.fullmatch(r"[0-9]+", port) else None
    return {"service": {"name": svc, "port": {"number": int(number)} if number else {"name": port}}}


def ingress(name: str, namespace: str | None, args: Args) -> dict:
    """Returns the networking.k8s.io/v1 Ingress of `kubectl create ingress NAME --rule=host/path=svc:port…`.

    A path ending in `*` is `pathType: Prefix` (the `*` removed), any other `Exact`; rules with the same host
    share one rule; `,tls[=secret]` adds a TLS entry (create_ingress.go `buildIngressSpec`).
    """
    rules_in = args.all("--rule")
    default = args.get("--default-backend")
    if not default and not rules_in:
        raise CommandError(
            "error: not enough information provided: every ingress has to either specify a default-backend "
            "(which catches all traffic) or a list of rules (which catch specific paths)"
        )
    for rule in rules_in:
        if not _INGRESS_RULE.match(rule):
            raise CommandError(
                f"error: rule {rule} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"
            )
    annotations = {}
    for item in args.all("--annotation"):
        key, eq, value = item.partition("=")
        if not eq:
            raise CommandError(f"error: annotation {item} is invalid and should be in format key=[value]")
        annotations[key] = value
    if default and len(default.split(":")) != 2:
        raise CommandError("error: default-backend should be in format servicename:serviceport")
    spec: dict = {}
    if args.get("--class"):
        spec["ingressClassName"] = args.get("--class")
    if default:
        spec["defaultBackend"] = _backend(default)
    tls: list[dict] = []
    seen_hosts: set[str] = set()
    for rule in rules_in:
        parts = rule.split(",")
        if len(parts) != 2:
            continue
        host = rule.split("/", 1)[0]
        secret = parts[1].split("=")[1] if "=" in parts[1] else ""
        if host in seen_hosts:
            continue
        index = next((i for i, t in enumerate(tls) if t.get("secretName", "") == secret), -1)
        seen_hosts.add(host)
        if index > -1:
            tls[index].setdefault("hosts", []).append(host)
            continue
        entry: dict = {}
        if host:
            entry["hosts"] = [host]
        if secret:
            entry["secretName"] = secret
        if entry:
            tls.append(entry)
    if tls:
        spec["tls"] = tls
    rules: list[dict] = []
    for rule in rules_in:
        host, _, pathsvc = rule.split(",")[0].partition("/")
        path, _, svc = pathsvc.partition("=")
        path = "/" + path
        path_type = "Exact"
        if path.endswith("*"):
            path, path_type = path[:-1], "Prefix"
        http_path = {"path": path, "pathType": path_type, "backend": _backend(svc)}
        existing = next((r for r in rules if r.get("host", "") == host), None)
        if existing is not None:
            existing["http"]["paths"].append(http_path)
            continue
        entry = {"host": host} if host else {}
        entry["http"] = {"paths": [http_path]}
        rules.append(entry)
    if rules:
        spec["rules"] = rules
    return {
        "kind": "Ingress",
        "apiVersion": "networking.k8s.io/v1",
        "metadata": _meta(name, namespace, annotations=annotations),
        "spec": spec,
        "status": {"loadBalancer": {}},
    }


# ------------------------------------------------------------------------------------------ run
RESTART_POLICIES = ("Always", "OnFailure", "Never")


def _labels(text: str) -> dict[str, str]:
    labels = {}
    for part in text.split(","):
        key, eq, value = part.partition("=")
        if not eq:
            raise CommandError(f"error: unexpected label spec: {part}")
        labels[key] = value
    return labels


def run_pod(name: str, namespace: str | None, args: Args, words: list[str]) -> dict:
    """Returns the v1 Pod of `kubectl run NAME --image=I [--port] [--env] [--labels] [--restart] [--command] -- …`.

    Labels default to `run=NAME`; words after `--` are the container's `args`, or its `command` with
    `--command`; `dnsPolicy: ClusterFirst` (pkg/generate/versioned/run.go `BasicPod`).
    """
    image = _required(args, "image")
    restart = args.get("--restart", default="Always")
    if restart not in RESTART_POLICIES:
        raise CommandError(
            f"error: invalid restart policy: {restart}, valid values are: Always, OnFailure, Never"
        )
    labels = _labels(args.get("--labels")) if args.get("--labels") else {"run": name}
    annotations = {}
    for item in args.all("--annotations"):
        key, eq, value = item.partition("=")
        if not eq:
            raise CommandError(f"error: invalid annotations format: {item}")
        annotations[key] = value
    env = []
    for item in args.all("--env"):
        key, eq, value = item.partition("=")
        if not eq:
            raise CommandError(f"error: invalid env: {item}")
        env.append({"name": key, "value": value})
    ports = None
    if args.get("--port"):
        if not args.get("--port").isdigit():
            raise CommandError("error: --port must be a number")
        ports = [{"containerPort": int(args.get("--port"))}]
    command, cargs = (words, None) if args.has("--command") else (None, words)
    ctr = _container(
        name,
        image,
        command,
        args=cargs,
        ports=ports,
        env=env,
        imagePullPolicy=args.get("--image-pull-policy"),
    )
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": _meta(name, namespace, labels=labels, annotations=annotations),
        "spec": {"containers": [ctr], "restartPolicy": restart, "dnsPolicy": "ClusterFirst"},
        "status": {},
    }


def run_service(pod: dict, args: Args) -> dict:
    """Returns the Service of `kubectl run NAME --image=I --port=P --expose`: it selects the pod's labels and
    sends port P to P (run.go `generateService` with ServiceGeneratorV2)."""
    port = args.get("--port")
    if not port:
        raise CommandError("error: --port must be set when exposing a service")
    return {
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": _meta(pod["metadata"]["name"], pod["metadata"].get("namespace")),
        "spec": {
            "ports": [{"protocol": "TCP", "port": int(port), "targetPort": int(port)}],
            "selector": dict(pod["metadata"].get("labels") or {}),
        },
        "status": {"loadBalancer": {}},
    }


def merge_patch(target, patch):
    """Returns target with an RFC 7386 JSON merge patch applied (`kubectl run --overrides`, override-type merge):
    objects merge key by key, `null` removes a key, anything else (lists too) replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def apply_overrides(obj: dict, args: Args) -> dict:
    """Applies `--overrides=JSON` to a generated object; only `--override-type=merge` (the default) is offered."""
    text = args.get("--overrides")
    if not text:
        return obj
    kind = args.get("--override-type", default="merge")
    if kind != "merge":
        raise CommandError(
            f"error: --override-type={kind} is not available in this console; use the default merge patch"
        )
    try:
        patch = json.loads(text)
    except ValueError as exc:
        raise CommandError(f"error: invalid JSON Patch: {exc}") from None
    if not isinstance(patch, dict):
        raise CommandError("error: --overrides must be a JSON object")
    return merge_patch(obj, patch)


# ------------------------------------------------------------------------------------------ --save-config
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def save_config(obj: dict, typed: bool = True) -> dict:
    """Returns obj with `kubectl.kubernetes.io/last-applied-configuration` set, as `--save-config` does.

    kubectl encodes the object it is about to send (util.CreateOrUpdateAnnotation): a generated (typed)
    object in Go field order, an object read from a file (unstructured) with sorted keys and
    `"annotations":{}`; compact JSON ending in a newline.
    """
    if typed:
        text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n"
    else:
        raw = json.loads(json.dumps(obj))
        raw.setdefault("metadata", {}).setdefault("annotations", {}).pop(LAST_APPLIED, None)
        text = json.dumps(raw, separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n"
    out = dict(obj)
    meta = dict(obj.get("metadata") or {})
    annotations = dict(meta.get("annotations") or {})
    annotations[LAST_APPLIED] = text
    # ObjectMeta field order: name, namespace, labels, annotations, ownerReferences.
    ordered = {k: meta[k] for k in ("name", "generateName", "namespace") if k in meta}
    if "labels" in meta:
        ordered["labels"] = meta["labels"]
    ordered["annotations"] = annotations
    ordered.update({k: v for k, v in meta.items() if k not in ordered})
    out["metadata"] = ordered
    return out


# ------------------------------------------------------------------------------------------ expose
def _parse_selector_flag(text: str) -> dict[str, str]:
    out = {}
    for part in text.split(","):
        key, eq, value = part.partition("=")
        if not eq or not key:
            raise CommandError(f"error: invalid selector: {text}")
        out[key] = value
    return out


def expose_service(obj: dict, namespace: str | None, args: Args) -> dict:
    """Returns the v1 Service of `kubectl expose KIND NAME [--port] [--target-port] [--type] [--name] [--selector]`.

    The selector comes from `--selector` or the object (a Deployment's/ReplicaSet's `matchLabels`, a pod's
    labels, a Service's selector); ports from `--port` or every container port (named `port-1`, `port-2` …
    when there are several, keeping their protocol); labels are the exposed object's (expose.go,
    generate/versioned/service.go `ServiceGeneratorV2`).
    """
    kind = obj["kind"]
    if args.get("--selector"):
        selector = _parse_selector_flag(args.get("--selector"))
    elif kind == "Pod":
        selector = dict(obj["metadata"].get("labels") or {})
    elif kind == "Service":
        selector = dict(obj["spec"].get("selector") or {})
    else:
        sel = obj["spec"].get("selector") or {}
        if sel.get("matchExpressions"):
            raise CommandError(
                f"error: couldn't retrieve selectors via --selector flag or introspection: "
                f'{kind.lower()}s.apps "{obj["metadata"]["name"]}" has a selector with matchExpressions, '
                "which cannot be converted to a Service selector"
            )
        selector = dict(sel.get("matchLabels") or {})
    if not selector:
        raise CommandError(
            "error: couldn't retrieve selectors via --selector flag or introspection: the object has no labels"
        )
    protocol = args.get("--protocol")
    if args.get("--port"):
        port_words = args.get("--port").split(",")
        found = [(None, p, protocol or "TCP") for p in port_words]
    else:
        if kind == "Service":
            ctr_ports = [
                (p.get("name"), str(p["port"]), p.get("protocol", "TCP"))
                for p in obj["spec"].get("ports") or []
            ]
        else:
            spec = obj["spec"] if kind == "Pod" else obj["spec"]["template"]["spec"]
            ctr_ports = [
                (p.get("name"), str(p["containerPort"]), p.get("protocol", "TCP"))
                for ctr in spec.get("containers") or []
                for p in ctr.get("ports") or []
            ]
        if not ctr_ports:
            raise CommandError(
                "error: couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples"
            )
        found = [(n, p, protocol or proto) for n, p, proto in ctr_ports]
    target = args.get("--target-port")
    ports = []
    for i, (_, port, proto) in enumerate(found, start=1):
        if not port.isdigit():
            raise CommandError(f'error: strconv.Atoi: parsing "{port}": invalid syntax')
        entry: dict = {}
        if len(found) > 1:
            entry["name"] = f"port-{i}"
        entry["protocol"] = proto
        entry["port"] = int(port)
        if target:
            entry["targetPort"] = _int_or_string(target)
        else:
            entry["targetPort"] = int(port)
        ports.append(entry)
    spec: dict = {"ports": ports, "selector": selector}
    stype = args.get("--type")
    if stype:
        # kubectl does not check the type; the API server's validation refuses an unknown one.
        spec["type"] = stype
    if args.get("--cluster-ip"):
        spec["clusterIP"] = args.get("--cluster-ip")
    name = args.get("--name") or obj["metadata"]["name"]
    labels = obj["metadata"].get("labels") if not args.get("--labels") else _labels(args.get("--labels"))
    return {
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": _meta(name, namespace, labels=dict(labels or {})),
        "spec": spec,
        "status": {"loadBalancer": {}},
    }
