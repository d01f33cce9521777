"""The container runtime on every node: image cache, pod sandboxes, container filesystems, and the Docker engine.

Kubernetes pods run under the CRI runtime (containerd) and are driven by the kubelet; bare `docker run`
containers run under the Docker engine on the same machine and are driven by nothing but their restart policy
(`no`, `on-failure[:N]`, `always`, `unless-stopped`, delay 100 ms doubling to 1 min, reset after 10 s up).
A node failure stops every container on it; when the machine comes back, Docker restarts only `always` and
`unless-stopped` containers, and the kubelet restarts its pods' containers.

All state lives in `self.data` (JSON-ready) so the cluster can be saved and restored exactly.
"""

from __future__ import annotations

import base64
import shlex

from .clock import docker_duration
from .journal import TrackedDict, clone_untracked, copy_for_undo
from .narration import narrate
from .programs import container as programs
from .programs.images import image_files as images_files_of
from .programs.images import process_argv
from .registry import parse_image, pull_seconds

DOCKER_ADJECTIVES = (
    "admiring",
    "brave",
    "clever",
    "dreamy",
    "eager",
    "elegant",
    "festive",
    "gallant",
    "happy",
    "jolly",
    "keen",
    "loving",
    "nifty",
    "peaceful",
    "quirky",
    "relaxed",
    "serene",
    "sharp",
    "stoic",
    "tender",
    "vibrant",
    "wizardly",
    "youthful",
    "zealous",
)
DOCKER_NAMES = (
    "albattani",
    "babbage",
    "curie",
    "darwin",
    "einstein",
    "feynman",
    "galileo",
    "hopper",
    "kepler",
    "lovelace",
    "meitner",
    "newton",
    "noether",
    "pascal",
    "ritchie",
    "shannon",
    "tesla",
    "turing",
    "wozniak",
    "yonath",
    "sejong",
    "jang",
    "heo",
    "yi",
)


def image_files(ref, hostname: str) -> dict[str, str]:
    """Returns the files a fresh container of this image starts with."""
    files = {
        "/etc/hostname": hostname + "\n",
        "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    }
    if ref and ref.repository in ("library/nginx",):
        files["/usr/share/nginx/html/index.html"] = "<h1>Welcome to nginx!</h1>\n"
    if ref and ref.repository == "library/httpd":
        files["/usr/local/apache2/htdocs/index.html"] = "<html><body><h1>It works!</h1></body></html>\n"
    files.update(images_files_of(ref))
    return files


class Runtime:
    """Per-node runtime state plus the Docker engine's behaviour."""

    def __init__(self, cluster):
        self.c = cluster
        self.data: dict = {"nodes": {}, "volumes": {}, "faults": {}, "load": {}}
        self._undo: dict | None = None

    # ------------------------------------------------------------------------------------------ persistence
    def load(self, data: dict) -> None:
        """Replaces the state with a copy of saved `data` (the `runtime` part of Cluster.to_dict)."""
        from .objects import clone

        self.data = clone(data)
        for n in self.data["nodes"].values():
            n["sandboxes"] = TrackedDict(n["sandboxes"])

    def to_dict(self, *, copy: bool = True) -> dict:
        """Returns a JSON-ready copy of the state (reading it marks no sandbox as changed).

        `copy=False` shares the data (for encoding at once, Cluster.to_dict); each node's sandbox map is still
        a plain dict read without marking its keys (the JSON encoder reads a dict subclass through `items()`,
        which would mark them all).
        """
        if copy:
            return clone_untracked(self.data)
        nodes = {
            name: {k: (dict(dict.items(v)) if k == "sandboxes" else v) for k, v in n.items()}
            for name, n in self.data["nodes"].items()
        }
        return {**self.data, "nodes": nodes}

    def sandbox_maps(self) -> dict[str, TrackedDict]:
        """Returns each node's sandbox map (pod key -> sandbox), which tracks the keys it hands out."""
        return {name: n["sandboxes"] for name, n in self.data["nodes"].items()}

    def open_undo(self) -> None:
        """Starts a console command: remembers the node records and small maps now, the sandboxes as touched.

        Node records without their sandboxes are a few hundred bytes each, so they are copied whole; the
        sandboxes (a few KB each, one per pod) journal themselves on first access (journal.TrackedDict).
        """
        self._undo = {
            "nodes": {name: copy_for_undo(n) for name, n in self.data["nodes"].items()},
            "volumes": copy_for_undo(self.data["volumes"]),
            "faults": copy_for_undo(self.data["faults"]),
            "load": copy_for_undo(self.data["load"]),
        }
        for n in self.data["nodes"].values():
            n["sandboxes"].open_undo()

    def close_undo(self, rollback: bool) -> None:
        """Ends a console command; with rollback, restores everything to what it was at open_undo."""
        saved, self._undo = self._undo, None
        if saved is None:
            return
        maps = [n["sandboxes"] for n in self.data["nodes"].values()]
        if rollback:
            for key in ("nodes", "volumes", "faults", "load"):
                self.data[key] = saved[key]
            maps += [n["sandboxes"] for n in self.data["nodes"].values()]
        for m in {id(m): m for m in maps}.values():
            m.close_undo(rollback)

    # ------------------------------------------------------------------------------------------ nodes
    def add_node(self, name: str, index: int) -> None:
        """Registers a machine with an empty image cache."""
        self.data["nodes"][name] = {
            "up": True,
            "images": {},
            "pulling": {},
            "sandboxes": TrackedDict(),
            "docker": {},
            "index": index,
            "next_ip": 2,
            "next_docker_ip": 2,
            "since": self.c.clock.now,
        }

    def node(self, name: str) -> dict | None:
        """Returns a node's runtime record."""
        return self.data["nodes"].get(name)

    def is_up(self, name: str) -> bool:
        """Returns True when the machine is running."""
        n = self.node(name)
        return bool(n and n["up"])

    def allocate_pod_ip(self, node: str) -> str:
        """Returns the next pod IP in the node's pod CIDR (10.244.<index>.0/24)."""
        n = self.node(node)
        ip = f"10.244.{n['index']}.{n['next_ip']}"
        n["next_ip"] = n["next_ip"] + 1 if n["next_ip"] < 254 else 2
        return ip

    def image_present(self, node: str, image_full: str) -> bool:
        """Returns True when the node already has the image."""
        return image_full in self.node(node)["images"]

    def start_pull(self, node: str, ref) -> float:
        """Returns when a pull of ref on node finishes (joining a pull already in flight)."""
        n = self.node(node)
        at = n["pulling"].get(ref.full)
        if at is None or at < self.c.clock.now:
            at = self.c.clock.now + (pull_seconds(ref, self.c.rng) if ref.exists else 1.0)
            n["pulling"][ref.full] = at
        return at

    def finish_pull(self, node: str, ref) -> None:
        """Records a finished pull in the node's image cache."""
        n = self.node(node)
        n["pulling"].pop(ref.full, None)
        if ref.exists:
            n["images"][ref.full] = True

    # ------------------------------------------------------------------------------------------ volumes
    def volume_files(self, pv_name: str) -> dict:
        """Returns the file map stored on a persistent volume (created empty on first use)."""
        return self.data["volumes"].setdefault(pv_name, {})

    def drop_volume(self, pv_name: str) -> None:
        """Deletes a volume's data (reclaim policy Delete)."""
        self.data["volumes"].pop(pv_name, None)

    # ------------------------------------------------------------------------------------------ failures
    def fail_node(self, name: str) -> None:
        """Stops every container on the machine (pods and Docker containers)."""
        n = self.node(name)
        n["up"] = False
        n["since"] = self.c.clock.now
        n["pulling"] = {}
        now = self.c.clock.now
        for sb in n["sandboxes"].values():
            for ctr in sb["containers"].values():
                if ctr["state"] == "running" or ctr.get("stopAt") is not None:
                    ctr.update(
                        state="terminated", reason="Unknown", exitCode=255, finishedAt=now, ready=False
                    )
                ctr["stopAt"] = None
                ctr["restartAt"] = None
        for d in n["docker"].values():
            if d["state"] in ("running", "restarting"):
                d.update(state="exited", exitCode=255, finishedAt=now, restartAt=None)
                self.c.touch("pods", f"docker/{name}/{d['name']}")

    def recover_node(self, name: str) -> None:
        """Boots the machine again; the Docker engine restarts `always` and `unless-stopped` containers."""
        n = self.node(name)
        n["up"] = True
        n["since"] = self.c.clock.now
        for d in n["docker"].values():
            if (
                d["state"] == "exited"
                and not d.get("manualStop")
                and d["restart"] in ("always", "unless-stopped")
                or d["state"] == "exited"
                and d["restart"] == "always"
                and d.get("manualStop")
            ):
                self._docker_start(name, d, restart=True)

    # ------------------------------------------------------------------------------------------ docker
    def docker_name(self, node: str) -> str:
        """Returns a fresh Docker-style name (`elegant_turing`)."""
        taken = {d["name"] for n in self.data["nodes"].values() for d in n["docker"].values()}
        for _ in range(50):
            name = f"{self.c.rng.choice(DOCKER_ADJECTIVES)}_{self.c.rng.choice(DOCKER_NAMES)}"
            if name not in taken:
                return name
        return f"container_{self.c.rng.randint(1000, 9999)}"

    def docker_find(self, node: str, ident: str) -> dict | None:
        """Returns the Docker container on node matching a name or an ID prefix."""
        containers = self.node(node)["docker"]
        if ident in containers:
            return containers[ident]
        hits = [d for d in containers.values() if len(ident) >= 1 and d["id"].startswith(ident)]
        return hits[0] if len(hits) == 1 else None

    def docker_create(
        self,
        node: str,
        *,
        name: str,
        ref,
        command: list[str] | None,
        env: dict,
        ports: list,
        restart: str,
        max_retries: int,
        auto_remove: bool,
        memory: int | None = None,
    ) -> dict:
        """Creates and starts a Docker container on node; returns its record."""
        c = self.c
        n = self.node(node)
        cid = f"{c.rng.getrandbits(256):064x}"
        d = {
            "id": cid,
            "name": name,
            "image": ref.text,
            "imageFull": ref.full,
            "command": " ".join(process_argv(ref, None, command or None)),
            "args": command or [],
            "created": c.clock.now,
            "state": "created",
            "startedAt": None,
            "finishedAt": None,
            "exitCode": 0,
            "restart": restart,
            "maxRetries": max_retries,
            "restartCount": 0,
            "delay": 0.1,
            "restartAt": None,
            "exitAt": None,
            "manualStop": False,
            "env": env,
            "ports": ports,
            "logs": [],
            "ip": f"172.17.0.{n['next_docker_ip']}",
            "fs": {},
            "autoRemove": auto_remove,
            "memory": memory,
        }
        n["next_docker_ip"] += 1
        n["docker"][name] = d
        c.note_images([ref.text])
        self._docker_start(node, d)
        step, ko, en = narrate("docker-run", node=node, name=name)
        c.emit(
            "Normal",
            "Started",
            f"container/{name}",
            "docker",
            f"Started container {name} ({ref.text})",
            ko,
            en,
            step,
            quiet=True,  # Docker's own events are not Kubernetes Events
        )
        return d

    def _docker_start(self, node: str, d: dict, restart: bool = False) -> None:
        c = self.c
        ref = parse_image(d["image"])
        ref = None if isinstance(ref, str) else ref
        d.update(state="running", startedAt=c.clock.now, finishedAt=None, restartAt=None, exitAt=None)
        d.pop("oomKilled", None)
        if restart:
            d["restartCount"] += 1
        if not d.get("fs"):
            # A Docker container keeps its writable layer across stop/start and restarts (unlike a pod's).
            d["fs"] = image_files(ref, d["id"][:12])
        # `docker run IMAGE CMD…`: CMD replaces the image's CMD, the ENTRYPOINT stays.
        argv = process_argv(ref, None, d["args"] or None)
        machine = self.docker_machine(d, ref)
        problem = programs.start_error(machine, argv)
        if problem:
            d["logs"].append(f"docker: Error response from daemon: {problem}.")
            d["exitAt"] = c.clock.now
            d["pendingExit"] = 127
            c.clock.wake("docker", f"{node}/{d['name']}", d["exitAt"])
        else:
            self._docker_outcome(node, d, programs.start_process(machine, d, argv, c.clock.now))
        c.touch("pods", f"docker/{node}/{d['name']}")

    def docker_machine(self, d: dict, ref, collect: bool = False):
        """Returns the programs.Machine of a Docker container (no cluster DNS; its own files and logs)."""
        machine = programs.machine_for(
            self.c,
            d,
            pod=None,
            cname=d["name"],
            sb=None,
            ref=ref,
            hostname=d["id"][:12],
            now=self.c.clock.now,
            collect=collect,
            memory_limit=d.get("memory"),
        )
        # Docker sets HOSTNAME to the container's short id in every process's environment.
        machine.env = {"HOSTNAME": d["id"][:12], **machine.env}
        return machine

    def _docker_outcome(self, node: str, d: dict, outcome: dict) -> None:
        if "exit" in outcome:
            d["exitAt"] = outcome["at"]
            d["pendingExit"] = outcome["exit"]
            d["pendingReason"] = outcome["reason"]
            self.c.clock.wake("docker", f"{node}/{d['name']}", d["exitAt"])
        elif outcome["wake"] is not None:
            d["exitAt"] = None
            self.c.clock.wake("docker", f"{node}/{d['name']}", outcome["wake"])

    def docker_exit(self, node: str, d: dict, code: int) -> None:
        """Records that the container's main process ended and applies the restart policy."""
        c = self.c
        now = c.clock.now
        ran = now - (d["startedAt"] or now)
        d.update(state="exited", exitCode=code, finishedAt=now, exitAt=None)
        if ran >= 10:
            d["delay"] = 0.1
        policy = d["restart"]
        restart = policy in ("always", "unless-stopped") or (
            policy == "on-failure"
            and code != 0
            and (not d["maxRetries"] or d["restartCount"] < d["maxRetries"])
        )
        what = (
            "재시작 정책에 따라 다시 시작" if restart else "다시 시작하지 않음",
            "will be restarted" if restart else "nothing restarts it",
        )
        step, ko, en = narrate("docker-exited", name=d["name"], code=code, what_ko=what[0], what_en=what[1])
        c.emit(
            "Warning" if code else "Normal",
            "Died",
            f"container/{d['name']}",
            "docker",
            f"Container {d['name']} exited with code {code}",
            ko,
            en,
            step,
            quiet=True,  # Docker's own events are not Kubernetes Events
        )
        if restart:
            d["state"] = "restarting"
            d["restartAt"] = now + d["delay"]
            d["delay"] = min(d["delay"] * 2, 60.0)
            c.clock.wake("docker", f"{node}/{d['name']}", d["restartAt"])
        elif d.get("autoRemove"):
            del self.node(node)["docker"][d["name"]]
        c.touch("pods", f"docker/{node}/{d['name']}")

    def docker_sync(self, key: str) -> None:
        """Timer callback: a scheduled exit or a restart-policy restart is due."""
        node, _, name = key.partition("/")
        n = self.node(node)
        if not n or not n["up"]:
            return
        d = n["docker"].get(name)
        if d is None:
            return
        now = self.c.clock.now
        if d["state"] == "running" and d["exitAt"] is None and (d.get("proc") or {}).get("state") == "sleep":
            ref = parse_image(d["image"])
            ref = None if isinstance(ref, str) else ref
            self._docker_outcome(node, d, programs.step_process(self.docker_machine(d, ref), d, now))
            self.c.touch("pods", f"docker/{node}/{d['name']}")
        if d["state"] == "running" and d["exitAt"] is not None and d["exitAt"] <= now:
            if d.pop("pendingReason", None) == "OOMKilled":
                d["oomKilled"] = True
            self.docker_exit(node, d, d.pop("pendingExit", 0))
        elif d["state"] == "restarting" and d["restartAt"] is not None and d["restartAt"] <= now:
            self._docker_start(node, d, restart=True)
            step, ko, en = narrate("docker-restart", name=name, policy=d["restart"])
            self.c.emit(
                "Normal",
                "Restart",
                f"container/{name}",
                "docker",
                f"Restarted container {name} (restart policy {d['restart']})",
                ko,
                en,
                step,
                quiet=True,  # Docker's own events are not Kubernetes Events
            )
        # Re-arm the next deadline: a wake-up asked for during this call may have been superseded.
        d = n["docker"].get(name)
        if d is not None and d["state"] == "restarting" and (d["restartAt"] or 0) > now:
            self.c.clock.wake("docker", key, d["restartAt"])
        elif d is not None and d["state"] == "running" and d["exitAt"] is not None and d["exitAt"] > now:
            self.c.clock.wake("docker", key, d["exitAt"])

    def docker_status(self, d: dict) -> str:
        """Returns the STATUS column of `docker ps`."""
        now = self.c.clock.now
        if d["state"] == "running":
            return f"Up {docker_duration(now - d['startedAt'])}"
        if d["state"] == "restarting":
            return f"Restarting ({d['exitCode']}) {docker_duration(now - d['finishedAt'])} ago"
        if d["state"] == "created":
            return "Created"
        return f"Exited ({d['exitCode']}) {docker_duration(now - (d['finishedAt'] or now))} ago"


def decode_secret_value(value: str) -> str:
    """Returns the decoded text of a base64 Secret value (invalid bytes replaced)."""
    try:
        return base64.b64decode(value).decode("utf-8", "replace")
    except (ValueError, TypeError):
        return ""


def split_command(text: str) -> list[str] | str:
    """Returns shell words, or an error string when quoting is unbalanced."""
    try:
        return shlex.split(text)
    except ValueError as exc:
        return str(exc)
