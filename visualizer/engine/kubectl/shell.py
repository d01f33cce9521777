"""The mini shell behind `kubectl exec POD -- CMD`: files, environment, DNS and HTTP inside a container.

Paths resolve through the pod's volume mounts: a PersistentVolumeClaim mount reads and writes the volume's
files (they outlive the pod), an emptyDir mount the pod's scratch space (gone with the pod), a Secret or
ConfigMap mount its decoded keys (read-only); everything else is the container's writable layer, lost when
the container restarts. `nslookup` answers from cluster DNS (`<svc>.<ns>.svc.cluster.local`) and `curl` goes
through kube-proxy to one ready endpoint, answering with the serving pod's hostname.
"""

from __future__ import annotations

import shlex

from ..objects import BY_KIND, etcd_key
from ..registry import parse_image
from ..runtime import decode_secret_value

MAX_FILE = 4096
MAX_FILES = 64


def _mounts(c, pod: dict, cname: str, sb: dict):
    """Returns [(mountPath, kind, files dict or None, read_only)] longest path first."""
    spec = next(x for x in pod["spec"]["containers"] if x["name"] == cname)
    vols = {v["name"]: v for v in pod["spec"].get("volumes") or []}
    ns = pod["metadata"]["namespace"]
    out = []
    for m in spec.get("volumeMounts") or []:
        v = vols.get(m["name"], {})
        path = m["mountPath"].rstrip("/") or "/"
        ro = bool(m.get("readOnly"))
        if "emptyDir" in v:
            out.append((path, "emptyDir", sb["emptydir"].setdefault(v["name"], {}), ro))
        elif "persistentVolumeClaim" in v:
            pvc = c.api.get("PersistentVolumeClaim", ns, v["persistentVolumeClaim"].get("claimName"))
            pv = (pvc or {}).get("spec", {}).get("volumeName")
            files = c.runtime.volume_files(pv) if pv else {}
            out.append((path, "pvc", files, ro or v["persistentVolumeClaim"].get("readOnly", False)))
        elif "secret" in v:
            s = c.api.get("Secret", ns, v["secret"].get("secretName"))
            files = {k: decode_secret_value(val) for k, val in ((s or {}).get("data") or {}).items()}
            out.append((path, "secret", files, True))
        elif "configMap" in v:
            cm = c.api.get("ConfigMap", ns, v["configMap"].get("name"))
            out.append((path, "configMap", dict((cm or {}).get("data") or {}), True))
    out.sort(key=lambda m: -len(m[0]))
    return out


def _resolve(c, pod, cname, sb, ctr, path: str):
    """Returns (files dict, key inside it, read_only) for an absolute path."""
    for mpath, _kind, files, ro in _mounts(c, pod, cname, sb):
        if path == mpath or path.startswith(mpath + "/"):
            return files, path[len(mpath) :].lstrip("/"), ro, mpath
    return ctr["fs"], path, False, ""


def file_exists(c, pod: dict, cname: str, path: str) -> bool | None:
    """Returns whether a file exists in a running container (None if the container is not running)."""
    node = pod["spec"].get("nodeName")
    rn = c.runtime.node(node) if node else None
    key = etcd_key(BY_KIND["Pod"], pod["metadata"]["namespace"], pod["metadata"]["name"])
    sb = rn["sandboxes"].get(key) if rn else None
    ctr = sb["containers"].get(cname) if sb else None
    if ctr is None:
        return None
    files, k, _, _ = _resolve(c, pod, cname, sb, ctr, path)
    return k in files


def _lookup(c, pod: dict, name: str):
    """Returns (fqdn, [ips]) for a DNS name as cluster DNS resolves it, or None (NXDOMAIN)."""
    ns = pod["metadata"]["namespace"]
    parts = name.rstrip(".").split(".")
    svc_name, svc_ns = parts[0], ns
    if len(parts) >= 2 and parts[1] != "svc":
        svc_ns = parts[1]
    if len(parts) > 2 and parts[2:] not in (["svc"], ["svc", "cluster", "local"]):
        return None
    if name in ("kubernetes", "kubernetes.default"):
        svc_ns = "default"
    svc = c.api.get("Service", svc_ns, svc_name)
    if svc is None:
        return None
    fqdn = f"{svc_name}.{svc_ns}.svc.cluster.local"
    if svc["spec"].get("clusterIP") == "None":
        return fqdn, [a["ip"] for a in c.kube_proxy.backends(svc_ns, svc_name)]
    return fqdn, [svc["spec"]["clusterIP"]]


def _curl(c, pod, url: str) -> tuple[str, int]:
    target = url.split("://", 1)[-1]
    hostport, _, path = target.partition("/")
    host, _, port = hostport.partition(":")
    path = "/" + path
    ns = pod["metadata"]["namespace"]
    svc = None
    found = _lookup(c, pod, host)
    if found:
        parts = found[0].split(".")
        svc = c.api.get("Service", parts[1], parts[0])
    else:
        for s in c.store.list("Service"):
            if s["spec"].get("clusterIP") == host:
                svc = s
    if svc is None:
        return f"curl: (6) Could not resolve host: {host}", 6
    ports = [p["port"] for p in svc["spec"].get("ports") or []]
    want = int(port) if port.isdigit() else (ports[0] if ports else 80)
    if want not in ports:
        return f"curl: (7) Failed to connect to {host} port {want} after 0 ms: Couldn't connect to server", 7
    chosen = c.kube_proxy.route(svc["metadata"]["namespace"], svc["metadata"]["name"])
    if chosen is None:
        return f"curl: (7) Failed to connect to {host} port {want} after 0 ms: Couldn't connect to server", 7
    if chosen.get("timeout"):
        return f"curl: (28) Failed to connect to {host} port {want} after 130000 ms: Connection timed out", 28
    target_pod = c.api.get("Pod", svc["metadata"]["namespace"], chosen["targetRef"]["name"])
    image = target_pod["spec"]["containers"][0]["image"] if target_pod else "?"
    ref = parse_image(image)
    serves = ref.repo.serves if not isinstance(ref, str) and ref.repo else ("/",)
    if serves and path.split("?")[0] not in serves:
        return (
            f"<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center>"
            f"<hr><center>{image}</center></body></html>",
            0,
        )
    del ns
    return f"Hostname: {chosen['targetRef']['name']}\nIP: {chosen['ip']}\nImage: {image}\nPath: {path}", 0


def run_shell(c, pod: dict, cname: str, sb: dict, ctr: dict, argv: list[str]) -> tuple[str, int]:
    """Returns (output, exit code) of a command run in the container."""
    if argv[:2] in (["sh", "-c"], ["/bin/sh", "-c"], ["bash", "-c"], ["/bin/bash", "-c"]) and len(argv) >= 3:
        out, code = [], 0
        for part in _split_script(argv[2]):
            try:
                words = shlex.split(part)
            except ValueError as exc:
                return f"sh: syntax error: {exc}", 2
            if not words:
                continue
            text, code = _one(c, pod, cname, sb, ctr, words)
            if text:
                out.append(text)
        return "\n".join(out), code
    return _one(c, pod, cname, sb, ctr, argv)


def _split_script(script: str) -> list[str]:
    parts, cur, quote = [], "", None
    for ch in script:
        if quote:
            cur += ch
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            cur += ch
        elif ch in ";&":
            if cur.strip():
                parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def _one(c, pod, cname, sb, ctr, words: list[str]) -> tuple[str, int]:
    cmd, args = words[0].rsplit("/", 1)[-1], words[1:]
    redirect = None
    for op in (">>", ">"):
        if op in args:
            i = args.index(op)
            if i + 1 >= len(args):
                return "sh: syntax error: unexpected newline", 2
            redirect = (op, args[i + 1])
            args = args[:i]
            break
        joined = [a for a in args if a.startswith(op) and len(a) > len(op)]
        if joined:
            i = args.index(joined[0])
            redirect = (op, joined[0][len(op) :])
            args = args[:i]
            break
    if cmd == "echo":
        text = " ".join(args)
    elif cmd in ("cat",):
        outs = []
        for path in args:
            files, k, _, _ = _resolve(c, pod, cname, sb, ctr, path)
            if k not in files:
                return f"cat: can't open '{path}': No such file or directory", 1
            outs.append(files[k].rstrip("\n"))
        text = "\n".join(outs)
    elif cmd == "ls":
        path = (args[-1] if args and not args[-1].startswith("-") else "/").rstrip("/") or "/"
        files, k, _, mpath = _resolve(c, pod, cname, sb, ctr, path)
        prefix = (k + "/") if k else ""
        names = set()
        for name in files:
            if name == k and k:
                return path, 0
            if name.startswith(prefix) or (not k and not name.startswith("/") and mpath):
                rest = name[len(prefix) :].lstrip("/")
                if rest:
                    names.add(rest.split("/")[0])
            elif not mpath and name.startswith(path.rstrip("/") + "/"):
                names.add(name[len(path.rstrip("/")) + 1 :].split("/")[0])
        if not mpath and path == "/":
            names |= {"bin", "dev", "etc", "home", "proc", "root", "sys", "tmp", "usr", "var"}
        for m in _mounts(c, pod, cname, sb):
            if m[0].startswith(path.rstrip("/") + "/") and m[0] != path:
                names.add(m[0][len(path.rstrip("/")) + 1 :].split("/")[0])
        if (
            not names
            and mpath == ""
            and path not in ("/", "/tmp", "/etc", "/data")
            and not any(n.startswith(path + "/") for n in files)
        ):
            return f"ls: {path}: No such file or directory", 1
        text = "\n".join(sorted(names))
    elif cmd in ("env", "printenv"):
        if cmd == "printenv" and args:
            if args[0] not in ctr["env"]:
                return "", 1
            text = ctr["env"][args[0]]
        else:
            text = "\n".join(f"{k}={v}" for k, v in ctr["env"].items())
    elif cmd == "hostname":
        text = pod["metadata"]["name"]
    elif cmd == "touch":
        for path in args:
            files, k, ro, _ = _resolve(c, pod, cname, sb, ctr, path)
            if ro:
                return f"touch: {path}: Read-only file system", 1
            files.setdefault(k, "")
        text = ""
    elif cmd == "rm":
        for path in [a for a in args if not a.startswith("-")]:
            files, k, ro, _ = _resolve(c, pod, cname, sb, ctr, path)
            if ro:
                return f"rm: can't remove '{path}': Read-only file system", 1
            if files.pop(k, None) is None and "-f" not in args:
                return f"rm: can't remove '{path}': No such file or directory", 1
        text = ""
    elif cmd in ("mkdir", "true", "sleep", "date", "pwd", "whoami", "id", "uname"):
        text = {
            "pwd": "/",
            "whoami": "root",
            "id": "uid=0(root) gid=0(root) groups=0(root)",
            "uname": "Linux",
            "date": "Mon Mar  3 09:00:00 UTC 2025",
        }.get(cmd, "")
    elif cmd == "false":
        return "", 1
    elif cmd == "nslookup":
        if not args:
            return "Usage: nslookup HOST", 1
        found = _lookup(c, pod, args[0])
        head = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n"
        if found is None:
            ns = pod["metadata"]["namespace"]
            return head + f"\n** server can't find {args[0]}.{ns}.svc.cluster.local: NXDOMAIN", 1
        fqdn, ips = found
        text = head + "\n" + "\n".join(f"Name:\t{fqdn}\nAddress: {ip}" for ip in ips)
    elif cmd in ("curl", "wget"):
        urls = [a for a in args if not a.startswith("-")]
        if not urls:
            return f"{cmd}: no URL specified", 2
        text, code = _curl(c, pod, urls[0])
        if code:
            return text, code
    else:
        return f"sh: {cmd}: not found", 127
    if redirect:
        op, path = redirect
        files, k, ro, _ = _resolve(c, pod, cname, sb, ctr, path)
        if ro:
            return f"sh: can't create {path}: Read-only file system", 1
        if k not in files and len(files) >= MAX_FILES:
            return f"sh: can't create {path}: No space left on device", 1
        content = text + "\n"
        files[k] = ((files.get(k, "") + content) if op == ">>" else content)[-MAX_FILE:]
        c.touch("pods", f"{pod['metadata']['namespace']}/{pod['metadata']['name']}")
        return "", 0
    return text, 0
