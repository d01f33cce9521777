"""A container's filesystem: its writable layer plus the pod's volume mounts, as the process sees them.

The writable layer is `ctr["fs"]` (absolute path → text; a key ending in "/" is an empty directory made by
`mkdir`), lost when the container restarts. Mounts resolve longest path first, as the kernel's mount table does:
- `emptyDir`: the pod's scratch space, shared by its containers, gone with the pod;
- `persistentVolumeClaim`: the bound PersistentVolume's files (they outlive the pod);
- `secret` / `configMap`: one read-only file per key (or per `items[].path`) holding the decoded value;
- `downwardAPI` and `projected`: files from the pod's own fields (`metadata.labels` as `key="value"` lines,
  sorted), resource limits and the sources above
  [D tasks/inject-data-application/downward-api-volume-expose-pod-information.md; S pkg/volume/downwardapi].
"""

from __future__ import annotations

import fnmatch

MAX_FILE = 65536  # bytes a file keeps (the tail), so a runaway `>>` loop stays small
MAX_FILES = 256  # files a writable layer or a volume holds
SA_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
SA_TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6InNpbXVsYXRlZCJ9.simulated-service-account-token.signature"
SA_CA = "-----BEGIN CERTIFICATE-----\nMIIBsimulatedclusterCA\n-----END CERTIFICATE-----\n"
DEVICES = ("/dev/null", "/dev/zero", "/dev/stdout", "/dev/stderr")
BASE_DIRS = ("/bin", "/dev", "/etc", "/home", "/proc", "/root", "/sys", "/tmp", "/usr", "/var")


def _norm(path: str, cwd: str = "/") -> str:
    if not path.startswith("/"):
        path = cwd.rstrip("/") + "/" + path
    out: list[str] = []
    for piece in path.split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if out:
                out.pop()
            continue
        out.append(piece)
    return "/" + "/".join(out)


def field_value(pod: dict, path: str, ip: str = "") -> str | None:
    """Returns a downward API `fieldRef` value, or None for a field the API server would refuse.

    Env vars may use metadata.name/namespace/uid/labels['k']/annotations['k'], spec.nodeName,
    spec.serviceAccountName, status.hostIP, status.podIP (and the plural forms); volumes also take whole
    `metadata.labels` / `metadata.annotations` [D concepts/workloads/pods/downward-api.md].
    """
    meta, spec, status = pod["metadata"], pod["spec"], pod.get("status") or {}
    if path.startswith(("metadata.labels['", "metadata.annotations['")) and path.endswith("']"):
        which, _, key = path[len("metadata.") : -2].partition("['")
        return (meta.get(which) or {}).get(key, "")
    if path in ("metadata.labels", "metadata.annotations"):
        items = meta.get(path.split(".")[1]) or {}
        return "\n".join(f'{k}="{v}"' for k, v in sorted(items.items()))
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", "default"),
        "status.hostIP": status.get("hostIP", ""),
        "status.hostIPs": status.get("hostIP", ""),
        "status.podIP": ip or status.get("podIP", ""),
        "status.podIPs": ip or status.get("podIP", ""),
    }
    return simple.get(path)


def resource_value(pod: dict, container: str, ref: dict, node_allocatable: dict | None = None) -> str:
    """Returns a `resourceFieldRef` value: the limit or request in units of `divisor` (rounded up).

    An unset limit reports the node's allocatable capacity, as the kubelet does
    [D tasks/inject-data-application/environment-variable-expose-pod-information.md].
    """
    from ..objects import parse_bytes, parse_cpu

    resource = ref.get("resource", "")
    spec = next((x for x in pod["spec"]["containers"] if x["name"] == container), None)
    spec = spec or next((x for x in pod["spec"].get("initContainers") or [] if x["name"] == container), {})
    kind, _, name = resource.partition(".")
    value = ((spec.get("resources") or {}).get(kind) or {}).get(name)
    if value is None and kind == "requests":
        value = ((spec.get("resources") or {}).get("limits") or {}).get(name)
    if value is None:
        value = (node_allocatable or {}).get(name, "0")
    divisor = str(ref.get("divisor", "1"))
    if name == "cpu":
        amount, unit = parse_cpu(str(value)), parse_cpu(divisor) or 1000
    else:
        amount, unit = parse_bytes(str(value)), parse_bytes(divisor) or 1
    amount, unit = amount or 0, unit or 1
    return str(max(-(-amount // unit), 1 if amount else 0))


class FileSystem:
    """The files one container sees; built per use from the pod, its sandbox and the API objects."""

    def __init__(self, c, pod: dict | None, cname: str, sb: dict | None, layer: dict):
        self.c = c
        self.pod = pod
        self.cname = cname
        self.sb = sb
        self.layer = layer
        self._mounts: list | None = None
        self.touched = False

    # -------------------------------------------------------------------------------------- mounts
    def mounts(self) -> list:
        """Returns [(mountPath, kind, files dict, read_only)] longest path first."""
        if self._mounts is not None:
            return self._mounts
        out: list = []
        pod = self.pod
        if pod is not None:
            specs = list(pod["spec"]["containers"]) + list(pod["spec"].get("initContainers") or [])
            spec = next((x for x in specs if x["name"] == self.cname), {})
            vols = {v["name"]: v for v in pod["spec"].get("volumes") or []}
            for m in spec.get("volumeMounts") or []:
                v = vols.get(m["name"], {})
                path = _norm(m["mountPath"])
                ro = bool(m.get("readOnly"))
                files = self._volume_files(v)
                if files is None:
                    continue
                kind, files, vol_ro = files
                sub = m.get("subPath")
                if sub:
                    if sub in files:
                        files = {"": files[sub]} if vol_ro else files
                    else:
                        prefix = sub.rstrip("/") + "/"
                        files = {k[len(prefix) :]: val for k, val in files.items() if k.startswith(prefix)}
                out.append((path, kind, files, ro or vol_ro))
            if pod["spec"].get("automountServiceAccountToken", True) and not any(
                m[0] == SA_PATH for m in out
            ):
                # The kube-api-access projected volume the ServiceAccount admission plugin adds to every pod.
                ns = pod["metadata"]["namespace"]
                files = {"namespace": ns, "token": SA_TOKEN, "ca.crt": SA_CA}
                out.append((SA_PATH, "projected", files, True))
            if self.sb is not None:
                # /etc/resolv.conf, /etc/hosts and /etc/hostname: files the kubelet bind-mounts into every container
                from .dns import pod_files

                taken = {m[0] for m in out}
                for fpath, text in pod_files(pod, self.sb.get("ip", "")).items():
                    if fpath not in taken:
                        out.append((fpath, "kubelet", {"": text}, False))  # a copy per container
        out.sort(key=lambda m: -len(m[0]))
        self._mounts = out
        return out

    def _volume_files(self, v: dict):
        c, pod = self.c, self.pod
        ns = pod["metadata"]["namespace"]
        if "emptyDir" in v:
            return "emptyDir", self.sb["emptydir"].setdefault(v["name"], {}), False
        if "persistentVolumeClaim" in v:
            pvc = c.api.get("PersistentVolumeClaim", ns, v["persistentVolumeClaim"].get("claimName"))
            pv = (pvc or {}).get("spec", {}).get("volumeName")
            files = c.runtime.volume_files(pv) if pv else {}
            return "pvc", files, bool(v["persistentVolumeClaim"].get("readOnly", False))
        if "hostPath" in v:
            return (
                "hostPath",
                c.runtime.volume_files(
                    "hostpath:" + (pod["spec"].get("nodeName") or "") + ":" + v["hostPath"].get("path", "")
                ),
                False,
            )
        files = self.projected_files(v)
        if files is None:
            return None
        return next(k for k in ("secret", "configMap", "downwardAPI", "projected") if k in v), files, True

    def projected_files(self, v: dict) -> dict | None:
        """Returns the read-only files of a secret / configMap / downwardAPI / projected volume."""
        from ..runtime import decode_secret_value

        c, pod = self.c, self.pod
        ns = pod["metadata"]["namespace"]
        sources = []
        if "projected" in v:
            sources = list((v.get("projected") or {}).get("sources") or [])
        else:
            for k in ("secret", "configMap", "downwardAPI"):
                if k in v:
                    sources = [{k: v.get(k) or {}}]
        if not sources:
            return None
        files: dict[str, str] = {}
        for src in sources:
            if "secret" in src:
                ref = src["secret"] or {}
                s = c.api.get("Secret", ns, ref.get("secretName") or ref.get("name"))
                data = {k: decode_secret_value(val) for k, val in ((s or {}).get("data") or {}).items()}
                files.update(_with_items(data, ref.get("items")))
            elif "configMap" in src:
                ref = src["configMap"] or {}
                cm = c.api.get("ConfigMap", ns, ref.get("name"))
                files.update(_with_items(dict((cm or {}).get("data") or {}), ref.get("items")))
            elif "downwardAPI" in src:
                for item in (src["downwardAPI"] or {}).get("items") or []:
                    if "fieldRef" in item:
                        value = field_value(pod, (item["fieldRef"] or {}).get("fieldPath", ""))
                    elif "resourceFieldRef" in item:
                        value = resource_value(
                            pod,
                            item["resourceFieldRef"].get("containerName") or self.cname,
                            item["resourceFieldRef"],
                            self._allocatable(),
                        )
                    else:
                        value = None
                    if value is not None:
                        files[item.get("path", "")] = value
            elif "serviceAccountToken" in src:
                files[src["serviceAccountToken"].get("path", "token")] = "eyJhbGciOiJSUzI1NiJ9.simulated"
        return files

    def _allocatable(self) -> dict:
        node = self.c.api.get("Node", "", (self.pod or {}).get("spec", {}).get("nodeName") or "")
        return ((node or {}).get("status") or {}).get("allocatable") or {}

    # -------------------------------------------------------------------------------------- paths
    def resolve(self, path: str):
        """Returns (files dict, key inside it, read_only, mount path) for an absolute path."""
        for mpath, _kind, files, ro in self.mounts():
            if path == mpath or path.startswith(mpath.rstrip("/") + "/"):
                return files, path[len(mpath) :].lstrip("/"), ro, mpath
        return self.layer, path, False, ""

    def kind(self, path: str) -> str | None:
        """Returns "file", "dir" or None for a path."""
        if path in DEVICES:
            return "file"
        files, key, _, mpath = self.resolve(path)
        if mpath and key == "":
            # A subPath mount of one key is a file; any other mount point is a directory.
            return "file" if "" in files else "dir"
        if key in files and not key.endswith("/"):
            return "file"
        if path == "/" or path in BASE_DIRS or (key + "/") in files:
            return "dir"
        prefix = key.rstrip("/") + "/" if key else ""
        if any(k.startswith(prefix) for k in files if k != key):
            return "dir"
        if any(m[0].startswith(path.rstrip("/") + "/") for m in self.mounts()):
            return "dir"
        return None

    def read(self, path: str) -> str | None:
        """Returns a file's text, or None when there is no such file."""
        if path in DEVICES:
            return ""
        files, key, _, _ = self.resolve(path)
        if self.kind(path) != "file":
            return None
        return files.get(key)

    def write(self, path: str, text: str, append: bool = False) -> str | None:
        """Writes a file; returns the error words (`Read-only file system`, …) or None."""
        files, key, ro, _ = self.resolve(path)
        if path == "/dev/null":
            return None
        if ro:
            return "Read-only file system"
        if self.kind(path) == "dir":
            return "Is a directory"
        parent = path.rsplit("/", 1)[0] or "/"
        if self.kind(parent) != "dir":
            return "nonexistent directory"
        if key not in files and len(files) >= MAX_FILES:
            return "No space left on device"
        content = (files.get(key, "") + text) if append else text
        files[key] = content[-MAX_FILE:]
        self.touched = True
        return None

    def remove(self, path: str, recursive: bool = False) -> str | None:
        """Removes a file (or a tree with recursive); returns the error words or None."""
        files, key, ro, mpath = self.resolve(path)
        kind = self.kind(path)
        if kind is None:
            return "No such file or directory"
        if ro:
            return "Read-only file system"
        if kind == "dir":
            if not recursive:
                return "Is a directory"
            if mpath and key == "" or path in BASE_DIRS or path == "/":
                return "Device or resource busy" if mpath else "Permission denied"
            prefix = key.rstrip("/") + "/"
            for k in [k for k in files if k.startswith(prefix) or k == key]:
                del files[k]
        else:
            files.pop(key, None)
        self.touched = True
        return None

    def mkdir(self, path: str, parents: bool = False) -> str | None:
        """Makes a directory; returns the error words or None."""
        kind = self.kind(path)
        if kind is not None:
            return None if parents else "File exists"
        parent = path.rsplit("/", 1)[0] or "/"
        if self.kind(parent) is None:
            if not parents:
                return "No such file or directory"
            err = self.mkdir(parent, True)
            if err:
                return err
        files, key, ro, _ = self.resolve(path)
        if ro:
            return "Read-only file system"
        files[key.rstrip("/") + "/"] = ""
        self.touched = True
        return None

    def listdir(self, path: str) -> list[str] | None:
        """Returns the names in a directory (sorted), or None when it is not a directory."""
        if self.kind(path) != "dir":
            return None
        files, key, _, mpath = self.resolve(path)
        prefix = key.rstrip("/") + "/" if key else ""
        names = set()
        for k in files:
            if k.startswith(prefix) and k != prefix:
                rest = k[len(prefix) :]
                if rest:
                    names.add(rest.split("/")[0])
        if not mpath and path == "/":
            names |= {d[1:] for d in BASE_DIRS}
        for m in self.mounts():
            if m[0].startswith(path.rstrip("/") + "/") and m[0] != path:
                names.add(m[0][len(path.rstrip("/")) + 1 :].split("/")[0])
        names.discard("")
        return sorted(names)

    def glob(self, pattern: str, cwd: str = "/") -> list[str]:
        """Returns the paths matching a `*`/`?` pattern in its last component (sorted), or []."""
        path = _norm(pattern, cwd)
        parent, _, leaf = path.rpartition("/")
        names = self.listdir(parent or "/") or []
        hits = [n for n in names if fnmatch.fnmatchcase(n, leaf) and not n.startswith(".")]
        if not pattern.startswith("/"):
            return sorted(hits) if parent in ("", cwd.rstrip("/")) else []
        return [(parent or "") + "/" + n for n in sorted(hits)]


def _with_items(data: dict, items) -> dict:
    """Returns the files of a Secret/ConfigMap volume: every key, or only `items` at their paths."""
    if not items:
        return data
    return {it.get("path", it.get("key", "")): data[it["key"]] for it in items if it.get("key") in data}


def norm(path: str, cwd: str = "/") -> str:
    """Returns an absolute, normalised path (`..` and `.` resolved) for path relative to cwd."""
    return _norm(path, cwd)
