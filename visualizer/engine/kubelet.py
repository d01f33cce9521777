"""The kubelet: runs the pods bound to its node and reports their status to the API server (step 4).

`sync(pod_key)` is level-triggered, like the real kubelet's syncPod: it reads the pod from the API server and
the containers from the runtime, takes the next action that is due (mount volumes, run init containers in
order, pull the image, resolve Secrets for env, start the container's program — see `programs/` —, step it
when its sleep ends, probe, restart with back-off, stop on deletion), writes the pod status when it changed,
and asks the clock to wake it at its next deadline. Real defaults: CrashLoopBackOff 10 s doubling to 300 s
(first restart immediate, reset after 10 min of running), the same back-off for image pulls, probes every
`periodSeconds` with `failureThreshold` consecutive failures, graceful stop within the grace period.
"""

from __future__ import annotations

import functools
import hashlib

from .clock import stamp
from .narration import narrate
from .objects import BY_KIND, clone, etcd_key, parse_bytes, with_status
from .programs import container as programs
from .programs.expansion import expand, expand_all
from .programs.filesystem import field_value, resource_value
from .programs.images import DYNAMIC_SERVERS, image_env, process_argv, serve_response
from .registry import parse_image, pull_error, pulled_message
from .runtime import decode_secret_value, image_files

BACKOFF_START = 10.0
BACKOFF_MAX = 300.0
BACKOFF_RESET = 600.0
CONFIG_RETRY = 10.0
SANDBOX_SECONDS = 2.0
_PROBE_LABEL = {"livenessProbe": "Liveness", "readinessProbe": "Readiness", "startupProbe": "Startup"}
_PROBE_FAULT = {"livenessProbe": "liveness", "readinessProbe": "readiness", "startupProbe": "startup"}


def _new_container() -> dict:
    return {
        "state": "waiting",
        "reason": "ContainerCreating",
        "message": None,
        "exitCode": None,
        "startedAt": None,
        "finishedAt": None,
        "restartCount": 0,
        "last": None,
        "ready": False,
        "pullAt": None,
        "pulled": False,
        "pullBackoff": 0.0,
        "pullRetryAt": None,
        "errAt": None,
        "backoff": 0.0,
        "restartAt": None,
        "exitAt": None,
        "pendingExit": None,
        "stopAt": None,
        "probes": {},
        "fs": {},
        "env": {},
        "logs": [],
        "prevLogs": [],
        "everStarted": False,
    }


class Kubelet:
    """One kubelet per worker node, modelled as one object that keys everything by node."""

    def __init__(self, cluster):
        self.c = cluster
        # pod key -> (runtime signature, status object last seen): lets a sync skip rebuilding an unchanged
        # status. A pure cache: it is not saved, and a miss only costs the rebuild.
        self._seen: dict[str, tuple] = {}
        self._probe_static: dict[tuple, tuple[str, str, str]] = {}  # pure cache of HTTP/TCP probe outcomes
        self._components: dict[str, str] = {}  # node -> "kubelet/<node>" (a pure cache)

    def component(self, node: str) -> str:
        """Returns the component name used in events (`kubelet/worker-2`)."""
        name = self._components.get(node)
        if name is None:
            name = self._components[node] = f"kubelet/{node}"
        return name

    # ------------------------------------------------------------------------------------------ sync
    def sync(self, pod_key: str) -> None:
        """Reconciles one pod on its node (the kubelet's syncPod)."""
        c = self.c
        # store.get and runtime.node, inlined: the kubelet syncs a pod several times per lifecycle step.
        pod = c.store.objects.get(pod_key)
        if pod is None:
            self._forget(pod_key)
            return
        node = pod["spec"].get("nodeName")
        rn = c.runtime.data["nodes"].get(node) if node else None
        if not rn or not rn["up"]:  # runtime.is_up
            return
        sb = rn["sandboxes"].get(pod_key)
        if sb is not None and sb["uid"] != pod["metadata"]["uid"]:
            self._remove_sandbox(node, pod_key)
            sb = None
        if pod["metadata"].get("deletionTimestamp"):
            self._terminate(pod, node, sb)
            return
        if pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            return
        if sb is None:
            sb = self._create_sandbox(pod, node)
            if sb is None:
                self._write_status(pod, node, None)
                return
        if sb.get("readyAt", 0) > c.clock.now:
            # Creating the pod sandbox (network namespace, pause container) takes a moment.
            self._write_status(pod, node, sb)
            c.clock.wake("kubelet", pod_key, sb["readyAt"])
            return
        wake = []
        policy = pod["spec"].get("restartPolicy", "Always")
        containers = sb["containers"]
        if not pod["spec"].get("initContainers") or self._run_init_containers(pod, node, sb, policy, wake):
            for spec in pod["spec"]["containers"]:
                ctr = containers.get(spec["name"])
                if ctr is None:  # not setdefault: that would build a fresh record on every sync
                    ctr = containers[spec["name"]] = _new_container()
                self._step_container(pod, node, sb, spec, ctr, policy, wake)
        self._write_status(pod, node, sb)
        if wake:
            c.clock.wake("kubelet", pod_key, min(wake))

    def _run_init_containers(self, pod: dict, node: str, sb: dict, policy: str, wake: list) -> bool:
        """Runs init containers one at a time, in order, each to exit 0; returns True when all have.

        A failed init container is retried with back-off unless restartPolicy is Never (then the pod fails)
        [D concepts/workloads/pods/init-containers.md].
        """
        containers = sb["containers"]
        init_policy = "Never" if policy == "Never" else "OnFailure"
        for spec in pod["spec"]["initContainers"]:
            ctr = containers.get(spec["name"])
            if ctr is None:
                ctr = containers[spec["name"]] = _new_container()
            if spec.get("restartPolicy") == "Always":
                # A sidecar: restarted whenever it exits, kept running beside the app containers; the next
                # init container starts once it has started (and its startup probe passed)
                # [D concepts/workloads/pods/sidecar-containers.md].
                self._step_container(pod, node, sb, spec, ctr, "Always", wake)
                startup = ctr["probes"].get("startupProbe")
                if ctr["state"] == "running" and (startup is None or startup.get("done")):
                    ctr["sidecarStarted"] = True
                if ctr.get("sidecarStarted"):
                    continue
                return False
            if ctr["state"] == "terminated" and ctr["exitCode"] == 0 and ctr["everStarted"]:
                continue
            self._step_container(pod, node, sb, spec, ctr, init_policy, wake)
            if ctr["state"] == "terminated" and ctr["exitCode"] == 0 and ctr["everStarted"]:
                continue
            return False
        return True

    def _forget(self, pod_key: str) -> None:
        for name, n in self.c.runtime.data["nodes"].items():
            if pod_key in n["sandboxes"]:
                self._remove_sandbox(name, pod_key)

    def _remove_sandbox(self, node: str, pod_key: str) -> None:
        sb = self.c.runtime.node(node)["sandboxes"].pop(pod_key, None)
        # emptyDir volumes go with the sandbox: "deleted permanently when the pod is removed from the node".
        return sb

    # ------------------------------------------------------------------------------------------ sandbox
    def _create_sandbox(self, pod: dict, node: str) -> dict | None:
        c = self.c
        key = etcd_key(BY_KIND["Pod"], pod["metadata"]["namespace"], pod["metadata"]["name"])
        problem = self._volume_problem(pod)
        if problem:
            ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
            step, ko, en = narrate("failed-mount", pod=name, why=problem)
            c.emit_once(
                f"mount/{key}/{problem}",
                "Warning",
                "FailedMount",
                f"pod/{name}",
                self.component(node),
                f"MountVolume.SetUp failed for volume {problem}",
                ko,
                en,
                step,
                namespace=ns,
            )
            c.clock.wake("kubelet", key, c.clock.now + CONFIG_RETRY)
            return None
        sb = {
            "uid": pod["metadata"]["uid"],
            # a hostNetwork pod shares its node's network namespace, so its pod IP is the node's IP
            # (kubelet `kuberuntime_sandbox.go`: no pod network is set up for it)
            "ip": c.node_ip(node) if pod["spec"].get("hostNetwork") else c.runtime.allocate_pod_ip(node),
            "created": c.clock.now,
            "emptydir": {v["name"]: {} for v in pod["spec"].get("volumes") or [] if "emptyDir" in v},
            "containers": {},
            "readyAt": c.clock.now + SANDBOX_SECONDS,
        }
        c.runtime.node(node)["sandboxes"][key] = sb
        name = pod["metadata"]["name"]
        step, ko, en = narrate("sandbox", node=node, pod=name, ip=sb["ip"])
        c.emit(
            "Normal",
            "SandboxCreating",
            f"pod/{name}",
            self.component(node),
            f"Creating pod sandbox for {name}",
            ko,
            en,
            step,
            namespace=pod["metadata"]["namespace"],
            quiet=True,
        )
        return sb

    def _volume_problem(self, pod: dict) -> str | None:
        ns = pod["metadata"]["namespace"]
        api = self.c.api
        for v in pod["spec"].get("volumes") or []:
            if "secret" in v:
                sname = (v.get("secret") or {}).get("secretName")
                if api.get("Secret", ns, sname) is None and not (v.get("secret") or {}).get("optional"):
                    return f'"{v["name"]}" : secret "{sname}" not found'
            if "configMap" in v:
                cname = (v.get("configMap") or {}).get("name")
                if api.get("ConfigMap", ns, cname) is None and not (v.get("configMap") or {}).get("optional"):
                    return f'"{v["name"]}" : configmap "{cname}" not found'
            if "persistentVolumeClaim" in v:
                claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
                pvc = api.get("PersistentVolumeClaim", ns, claim)
                if pvc is None:
                    return f'"{v["name"]}" : persistentvolumeclaim "{claim}" not found'
                if pvc.get("status", {}).get("phase") != "Bound":
                    return f'"{v["name"]}" : persistentvolumeclaim "{claim}" is not bound'
                modes = pvc["spec"].get("accessModes") or []
                if "ReadWriteOncePod" in modes or modes == ["ReadWriteOnce"]:
                    other = self._claim_user(pod, claim, modes)
                    if other:
                        return f'"{v["name"]}" : Multi-Attach error: volume is already used by pod(s) {other}'
        return None

    def _claim_user(self, pod: dict, claim: str, modes: list) -> str | None:
        """Returns another running pod that blocks this one from attaching a ReadWriteOnce(Pod) claim."""
        ns = pod["metadata"]["namespace"]
        for other in self.c.store.list("Pod", ns):
            if other is pod or other["metadata"]["name"] == pod["metadata"]["name"]:
                continue
            on = other["spec"].get("nodeName")
            if not on:
                continue
            uses = any(
                (v.get("persistentVolumeClaim") or {}).get("claimName") == claim
                for v in other["spec"].get("volumes") or []
            )
            if not uses:
                continue
            okey = etcd_key(BY_KIND["Pod"], ns, other["metadata"]["name"])
            rn = self.c.runtime.node(on)
            if (
                rn
                and okey in rn["sandboxes"]
                and (on != pod["spec"]["nodeName"] or "ReadWriteOncePod" in modes)
            ):
                return other["metadata"]["name"]
        return None

    # ------------------------------------------------------------------------------------------ containers
    def _step_container(self, pod, node, sb, spec, ctr, policy, wake):
        c = self.c
        now = c.clock.now
        name = pod["metadata"]["name"]
        ns = pod["metadata"]["namespace"]
        comp = self.component(node)
        ref = parse_image(spec["image"])
        # 0. the pod's image was updated: the container is killed and started again from the new image
        if ctr.get("image", spec["image"]) != spec["image"]:
            ctr["pulled"] = False
            ctr["pullBackoff"] = 0.0
            ctr["pullRetryAt"] = None
            if ctr["state"] == "running":
                c.emit(
                    "Normal",
                    "Killing",
                    f"pod/{name}",
                    comp,
                    f"Container {spec['name']} definition changed, will be restarted",
                    *narrate("killing", node=node, pod=name, container=spec["name"])[1:],
                    4,
                    namespace=ns,
                )
                self._container_exited(pod, node, spec, ctr, 0, "Completed", killed=True)
                ctr["restartAt"] = now
                ctr["state"] = "waiting"
                ctr["reason"] = "ContainerCreating"
                ctr["restarting"] = True
        ctr["image"] = spec["image"]
        # 1. a running container may have exited or been killed by a probe
        if ctr["state"] == "running":
            proc = ctr.get("proc")
            if proc is not None and proc["state"] == "sleep" and proc["t"] <= now and ctr["exitAt"] is None:
                outcome = programs.step_process(self.machine(pod, spec, sb, ctr, ref), ctr, now)
                self._apply_outcome(ctr, outcome, wake)
            if ctr["exitAt"] is not None and ctr["exitAt"] <= now:
                self._exit_now(pod, node, spec, ctr)
            else:
                self._run_probes(pod, node, spec, ctr, wake)
                if ctr["state"] == "running":
                    if ctr["exitAt"] is not None:
                        wake.append(ctr["exitAt"])
                    elif (ctr.get("proc") or {}).get("state") == "sleep":
                        wake.append(ctr["procWake"])
                    return
        # 2. terminated: restart per restartPolicy, maybe after the CrashLoopBackOff delay
        if ctr["state"] == "terminated":
            code = ctr["exitCode"] or 0
            if policy == "Never" or (policy == "OnFailure" and code == 0):
                return
            if ctr["restartAt"] is None:
                if (
                    ctr["startedAt"] is not None
                    and (ctr["finishedAt"] or now) - ctr["startedAt"] >= BACKOFF_RESET
                ):
                    ctr["backoff"] = 0.0
                delay = ctr["backoff"]
                ctr["restartAt"] = (ctr["finishedAt"] or now) + delay
                ctr["backoff"] = BACKOFF_START if delay == 0 else min(delay * 2, BACKOFF_MAX)
                if delay > 0:
                    ctr["state"] = "waiting"
                    ctr["reason"] = "CrashLoopBackOff"
                    ctr["message"] = (
                        f"back-off {int(delay)}s restarting failed container={spec['name']} "
                        f"pod={name}_{ns}({pod['metadata']['uid']})"
                    )
                    step, ko, en = narrate("crash-backoff", pod=name, backoff=int(delay))
                    c.emit(
                        "Warning",
                        "BackOff",
                        f"pod/{name}",
                        comp,
                        f"Back-off restarting failed container {spec['name']} in pod {name}_{ns}"
                        f"({pod['metadata']['uid']})",
                        ko,
                        en,
                        step,
                        namespace=ns,
                    )
            if ctr["restartAt"] > now:
                wake.append(ctr["restartAt"])
                return
            ctr["state"] = "waiting"
            ctr["restarting"] = True
        if ctr["state"] == "waiting" and ctr["reason"] == "CrashLoopBackOff":
            if ctr["restartAt"] is not None and ctr["restartAt"] > now:
                wake.append(ctr["restartAt"])
                return
            ctr["restarting"] = True
        # 3. image: pull if needed (with ErrImagePull → ImagePullBackOff)
        if isinstance(ref, str):
            if ctr["reason"] != "InvalidImageName":
                ctr.update(
                    state="waiting",
                    reason="InvalidImageName",
                    message=f'Failed to apply default image tag "{spec["image"]}": couldn\'t parse image '
                    f'name "{spec["image"]}": {ref}',
                )
                c.emit(
                    "Warning",
                    "InspectFailed",
                    f"pod/{name}",
                    comp,
                    ctr["message"],
                    *narrate("pull-failed", image=spec["image"])[1:],
                    4,
                    namespace=ns,
                )
            return
        if not ctr["pulled"] and not self._pull(pod, node, spec, ctr, ref, wake):
            return
        # 4. configuration: env from Secrets / ConfigMaps
        env, problem = self.container_env(pod, spec, sb)
        if problem:
            if ctr["reason"] != "CreateContainerConfigError" or ctr["message"] != problem:
                ctr.update(state="waiting", reason="CreateContainerConfigError", message=problem)
                step, ko, en = narrate("config-error", pod=name, why=problem)
                c.emit(
                    "Warning", "Failed", f"pod/{name}", comp, f"Error: {problem}", ko, en, step, namespace=ns
                )
            wake.append(now + CONFIG_RETRY)
            return
        # 5. create and start
        restarted = ctr.pop("restarting", False) or ctr["everStarted"]
        if restarted:
            ctr["restartCount"] += 1
            ctr["prevLogs"] = ctr["logs"]
            ctr["logs"] = []
            ctr["prevLogTimes"] = ctr.get("logTimes") or []
            ctr["logTimes"] = []
        ctr.update(
            state="running",
            reason=None,
            message=None,
            startedAt=now,
            finishedAt=None,
            exitCode=None,
            restartAt=None,
            ready=False,
            env=env,
            everStarted=True,
            stopAt=None,
        )
        ctr["fs"] = image_files(ref, pod["spec"].get("hostname") or name)
        ctr["probes"] = {}
        for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
            p = spec.get(kind)
            if p:
                ctr["probes"][kind] = {"next": now + p.get("initialDelaySeconds", 0), "fail": 0, "ok": 0}
        # The process: command/args (with Kubernetes `$(VAR)` expansion) over the image's ENTRYPOINT/CMD.
        argv = process_argv(ref, expand_all(spec.get("command"), env), expand_all(spec.get("args"), env))
        machine = self.machine(pod, spec, sb, ctr, ref)
        problem = programs.start_error(machine, argv)
        if problem:
            ctr["proc"] = None
            ctr["exitAt"] = None
            self._container_exited(pod, node, spec, ctr, 128, "StartError", killed=True)
            ctr["last"]["terminated"]["message"] = problem
            ctr["message"] = problem
            c.emit(
                "Warning",
                "Failed",
                f"pod/{name}",
                comp,
                f"Error: {problem}",
                *narrate("config-error", pod=name, why=problem)[1:],
                4,
                namespace=ns,
            )
            wake.append(now)
            return
        outcome = programs.start_process(
            machine,
            ctr,
            argv,
            now,
            cwd=spec.get("workingDir"),
            tty=bool(spec.get("stdin") or spec.get("tty")),
        )
        self._apply_outcome(ctr, outcome, wake)
        self._run_hook(pod, node, spec, sb, ctr, ref, "postStart")
        if restarted:
            step, ko, en = narrate(
                "restarted", node=node, pod=name, container=spec["name"], n=ctr["restartCount"]
            )
        else:
            step, ko, en = narrate("started", node=node, pod=name, container=spec["name"])
            c.emit(
                "Normal",
                "Created",
                f"pod/{name}",
                comp,
                f"Created container: {spec['name']}",
                *narrate("created", node=node, pod=name, container=spec["name"])[1:],
                4,
                namespace=ns,
            )
        c.emit(
            "Normal",
            "Started",
            f"pod/{name}",
            comp,
            f"Started container {spec['name']}",
            ko,
            en,
            step,
            namespace=ns,
        )
        if not spec.get("readinessProbe") and not spec.get("startupProbe"):
            ctr["ready"] = True
        for pr in ctr["probes"].values():
            if pr["next"] > now:  # a probe due now runs below, which asks for its next period itself
                wake.append(pr["next"])
        if ctr["exitAt"] is not None:
            wake.append(ctr["exitAt"])
            if ctr["exitAt"] <= now:
                self._exit_now(pod, node, spec, ctr)
                return
        if ctr["probes"]:
            self._run_probes(pod, node, spec, ctr, wake)
            if ctr["state"] != "running":
                wake.append(now)  # killed by its liveness probe: restarted by a sync at this instant

    def machine(self, pod: dict, spec: dict, sb: dict, ctr: dict, ref, collect: bool = False, err=None):
        """Returns the programs.Machine of a container: its files, env, logs and memory limit (bytes).
        With `collect`, output is collected instead of logged; `err` gives stderr a sink of its own."""
        limit = ((spec.get("resources") or {}).get("limits") or {}).get("memory")
        if limit is not None:
            try:
                limit = parse_bytes(limit)
            except (ValueError, TypeError):
                limit = None
        return programs.machine_for(
            self.c,
            ctr,
            pod=pod,
            cname=spec["name"],
            sb=sb,
            ref=None if isinstance(ref, str) else ref,
            hostname=pod["spec"].get("hostname") or pod["metadata"]["name"],
            now=self.c.clock.now,
            collect=collect,
            memory_limit=limit,
            err=err,
        )

    def _run_hook(self, pod, node, spec, sb, ctr, ref, which: str) -> None:
        """Runs a postStart/preStop exec hook in the container; a failed postStart kills the container.

        Hooks run as exec does [D tasks/configure-pod-container/attach-handler-lifecycle-event.md]; a failing
        postStart is recorded as FailedPostStartHook and the container is killed and restarted per policy.
        """
        hook = ((spec.get("lifecycle") or {}).get(which) or {}).get("exec")
        if not hook or ctr["state"] != "running":
            return
        output, code = programs.exec_command(
            self.machine(pod, spec, sb, ctr, ref, collect=True), hook.get("command") or []
        )
        if code == 0 or which != "postStart":
            return
        name, ns = pod["metadata"]["name"], pod["metadata"]["namespace"]
        message = f"PostStartHookError: command '{' '.join(hook.get('command') or [])}' exited with {code}: {output}"
        self.c.emit(
            "Warning",
            "FailedPostStartHook",
            f"pod/{name}",
            self.component(node),
            message,
            *narrate("config-error", pod=name, why=message)[1:],
            4,
            namespace=ns,
        )
        self._container_exited(pod, node, spec, ctr, 137, "Error", killed=True)

    def _apply_outcome(self, ctr: dict, outcome: dict, wake: list) -> None:
        """Records a process step: an exit becomes exitAt/pendingExit, a sleep a wake-up time."""
        if "exit" in outcome:
            ctr["exitAt"] = outcome["at"]
            ctr["pendingExit"] = outcome["exit"]
            ctr["pendingReason"] = outcome["reason"]
            wake.append(outcome["at"])
        else:
            ctr["exitAt"] = None
            ctr["procWake"] = outcome["wake"]
            if outcome["wake"] is not None:
                wake.append(outcome["wake"])

    def _exit_now(self, pod, node, spec, ctr) -> None:
        code = ctr["pendingExit"] if ctr["pendingExit"] is not None else 1
        reason = ctr.pop("pendingReason", None) or ("Completed" if code == 0 else "Error")
        self._container_exited(pod, node, spec, ctr, code, reason)

    def _pull(self, pod, node, spec, ctr, ref, wake) -> bool:
        """Drives the image pull; returns True once the image is on the node."""
        c = self.c
        now = c.clock.now
        name, ns = pod["metadata"]["name"], pod["metadata"]["namespace"]
        comp = self.component(node)
        policy = spec.get("imagePullPolicy", "IfNotPresent")
        if ctr["pullAt"] is None:
            if ctr["pullRetryAt"] is not None and ctr["pullRetryAt"] > now:
                if ctr["reason"] == "ErrImagePull" and now >= (ctr["errAt"] or now) + 2:
                    ctr["reason"] = "ImagePullBackOff"
                    ctr["message"] = f'Back-off pulling image "{spec["image"]}"'
                    step, ko, en = narrate(
                        "pull-backoff", image=spec["image"], backoff=int(ctr["pullBackoff"])
                    )
                    c.emit(
                        "Normal",
                        "BackOff",
                        f"pod/{name}",
                        comp,
                        f'Back-off pulling image "{spec["image"]}"',
                        ko,
                        en,
                        step,
                        namespace=ns,
                    )
                    c.emit(
                        "Warning",
                        "Failed",
                        f"pod/{name}",
                        comp,
                        "Error: ImagePullBackOff",
                        ko,
                        en,
                        step,
                        namespace=ns,
                    )
                if ctr["reason"] == "ErrImagePull":
                    wake.append((ctr["errAt"] or now) + 2)
                wake.append(ctr["pullRetryAt"])
                return False
            if policy != "Always" and c.runtime.image_present(node, ref.full):
                ctr["pulled"] = True
                step, ko, en = narrate("image-present", image=spec["image"], node=node)
                c.emit(
                    "Normal",
                    "Pulled",
                    f"pod/{name}",
                    comp,
                    f'Container image "{spec["image"]}" already present on machine',
                    ko,
                    en,
                    step,
                    namespace=ns,
                )
                return True
            if policy == "Never":
                ctr.update(
                    state="waiting",
                    reason="ErrImageNeverPull",
                    message=f'Container image "{spec["image"]}" is not present with pull policy of Never',
                )
                return False
            ctr["pullAt"] = c.runtime.start_pull(node, ref)
            ctr["pullStarted"] = now
            if ctr["reason"] not in ("ErrImagePull", "ImagePullBackOff"):
                ctr.update(state="waiting", reason="ContainerCreating", message=None)
            step, ko, en = narrate("pulling", node=node, image=spec["image"])
            c.emit(
                "Normal",
                "Pulling",
                f"pod/{name}",
                comp,
                f'Pulling image "{spec["image"]}"',
                ko,
                en,
                step,
                namespace=ns,
            )
        if ctr["pullAt"] > now:
            wake.append(ctr["pullAt"])
            return False
        c.runtime.finish_pull(node, ref)
        took = round(now - ctr.get("pullStarted", now), 3)
        ctr["pullAt"] = None
        if ref.exists:
            ctr["pulled"] = True
            ctr["pullBackoff"] = 0.0
            step, ko, en = narrate("pulled", node=node, image=spec["image"])
            c.emit(
                "Normal",
                "Pulled",
                f"pod/{name}",
                comp,
                pulled_message(spec["image"], took, took, ref.size_bytes),
                ko,
                en,
                step,
                namespace=ns,
            )
            return True
        ctr["pullBackoff"] = (
            BACKOFF_START if not ctr["pullBackoff"] else min(ctr["pullBackoff"] * 2, BACKOFF_MAX)
        )
        ctr["pullRetryAt"] = now + ctr["pullBackoff"]
        ctr["errAt"] = now
        msg = f'Failed to pull image "{spec["image"]}": {pull_error(ref)}'
        ctr.update(state="waiting", reason="ErrImagePull", message=msg)
        step, ko, en = narrate("pull-failed", image=spec["image"])
        c.emit("Warning", "Failed", f"pod/{name}", comp, msg, ko, en, step, namespace=ns)
        c.emit("Warning", "Failed", f"pod/{name}", comp, "Error: ErrImagePull", ko, en, step, namespace=ns)
        wake.append(now + 2)
        wake.append(ctr["pullRetryAt"])
        return False

    def container_env(self, pod: dict, spec: dict, sb: dict | None) -> tuple[dict, str | None]:
        """Returns (environment, problem): service links, envFrom, env with Secret/ConfigMap references."""
        c = self.c
        ns = pod["metadata"]["namespace"]
        env: dict[str, str] = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOSTNAME": pod["spec"].get("hostname") or pod["metadata"]["name"],
        }
        ref = parse_image(spec["image"])
        if not isinstance(ref, str) and ref.repository == "library/nginx":
            env["NGINX_VERSION"] = ref.tag
        kube = c.api.get("Service", "default", "kubernetes")
        if kube:
            env.update(
                KUBERNETES_SERVICE_HOST=kube["spec"]["clusterIP"],
                KUBERNETES_SERVICE_PORT="443",
                KUBERNETES_PORT=f"tcp://{kube['spec']['clusterIP']}:443",
            )
        if pod["spec"].get("enableServiceLinks", True):
            # The namespace's Docker-style service links, built once per Service change (Cluster caches them).
            env.update(c.service_links(ns))
        env.update(
            image_env(ref)
        )  # the image config's ENV (node's NODE_VERSION…); the pod's env overrides it
        for src in spec.get("envFrom") or []:
            prefix = src.get("prefix", "")
            if "secretRef" in src:
                s = c.api.get("Secret", ns, src["secretRef"].get("name"))
                if s is None:
                    if not src["secretRef"].get("optional"):
                        return env, f'secret "{src["secretRef"].get("name")}" not found'
                    continue
                for k, v in (s.get("data") or {}).items():
                    env[prefix + k] = decode_secret_value(v)
            if "configMapRef" in src:
                cm = c.api.get("ConfigMap", ns, src["configMapRef"].get("name"))
                if cm is None:
                    if not src["configMapRef"].get("optional"):
                        return env, f'configmap "{src["configMapRef"].get("name")}" not found'
                    continue
                for k, v in (cm.get("data") or {}).items():
                    env[prefix + k] = v
        for e in spec.get("env") or []:
            if "value" in e:
                # `$(VAR)` refers to variables defined before this one (and service links); `$$` escapes.
                env[e["name"]] = expand(str(e["value"]), env)
            vf = e.get("valueFrom") or {}
            if "secretKeyRef" in vf:
                r = vf["secretKeyRef"]
                s = c.api.get("Secret", ns, r.get("name"))
                if s is None:
                    if r.get("optional"):
                        continue
                    return env, f'secret "{r.get("name")}" not found'
                if r.get("key") not in (s.get("data") or {}):
                    if r.get("optional"):
                        continue
                    return env, f"couldn't find key {r.get('key')} in Secret {ns}/{r.get('name')}"
                env[e["name"]] = decode_secret_value(s["data"][r["key"]])
            elif "configMapKeyRef" in vf:
                r = vf["configMapKeyRef"]
                cm = c.api.get("ConfigMap", ns, r.get("name"))
                if cm is None:
                    if r.get("optional"):
                        continue
                    return env, f'configmap "{r.get("name")}" not found'
                if r.get("key") not in (cm.get("data") or {}):
                    if r.get("optional"):
                        continue
                    return env, f"couldn't find key {r.get('key')} in ConfigMap {ns}/{r.get('name')}"
                env[e["name"]] = cm["data"][r["key"]]
            elif "fieldRef" in vf:
                path = (vf["fieldRef"] or {}).get("fieldPath", "")
                env[e["name"]] = field_value(pod, path, (sb or {}).get("ip", "")) or ""
            elif "resourceFieldRef" in vf:
                node = c.api.get("Node", "", pod["spec"].get("nodeName") or "")
                allocatable = ((node or {}).get("status") or {}).get("allocatable") or {}
                ref = dict(vf["resourceFieldRef"] or {})
                env[e["name"]] = resource_value(
                    pod, ref.get("containerName") or spec["name"], ref, allocatable
                )
        # The OCI runtime (runc) sets HOME from the user's passwd entry when neither the image nor the pod does.
        env.setdefault("HOME", "/root")
        return env, None

    # ------------------------------------------------------------------------------------------ probes
    def probe_result(self, pod: dict, spec: dict, ctr: dict, kind: str) -> tuple[bool, str]:
        """Returns (success, failure message) of one probe run against the simulated container."""
        probe = spec[kind]
        injected = self.c.runtime.data["faults"]  # `sim` faults by pod key; usually none at all
        faults = (
            injected.get(etcd_key(BY_KIND["Pod"], pod["metadata"]["namespace"], pod["metadata"]["name"]), {})
            if injected
            else {}
        )
        which = _PROBE_FAULT.get(kind, "startup")
        if "httpGet" in probe or "tcpSocket" in probe:
            # Whether the port listens and the path is served depends only on the spec and the image.
            sb_ip = pod.get("status", {}).get("podIP") or "10.244.0.1"
            key = (pod["metadata"]["uid"], spec["name"], kind, sb_ip)
            static = self._probe_static.get(key)
            if static is None:
                if len(self._probe_static) > 20_000:
                    self._probe_static.clear()
                static = self._probe_static[key] = self._static_probe(spec, probe, sb_ip)
            refused, fault_message, not_served = static
            if refused:
                return False, refused
            if faults.get(which):
                return False, fault_message
            if not_served:
                return False, not_served
            proc = ctr.get("proc")
            serve = proc.get("serve") if proc else None
            if serve and "httpGet" in probe and serve.get("program") in DYNAMIC_SERVERS:
                # The program decides the answer (agnhost liveness: 200 for 10 s, then 500).
                path = probe["httpGet"].get("path", "/")
                answer = serve_response(serve, self.c.clock.now, pod["metadata"]["name"], path)
                if answer is not None and not 200 <= answer[0] < 400:
                    return False, f"HTTP probe failed with statuscode: {answer[0]}"
            return True, ""
        if faults.get(which):
            return False, "command terminated with exit code 1"
        # An exec probe runs its argv directly in the container (not in a shell), seeing the files the
        # program wrote [S api core/v1 types.go `ExecAction`]; its output is the failure message.
        cmd = (probe.get("exec") or {}).get("command") or []
        sb = self._sandbox_of(pod)
        if sb is None or ctr.get("state") != "running":
            return False, "container not running"
        ref = parse_image(spec["image"])
        output, code = programs.exec_command(self.machine(pod, spec, sb, ctr, ref, collect=True), list(cmd))
        if code != 0:
            return False, output.rstrip("\n")
        return True, ""

    def _sandbox_of(self, pod: dict) -> dict | None:
        node = pod["spec"].get("nodeName")
        rn = self.c.runtime.node(node) if node else None
        key = etcd_key(BY_KIND["Pod"], pod["metadata"]["namespace"], pod["metadata"]["name"])
        return rn["sandboxes"].get(key) if rn else None

    @staticmethod
    def _static_probe(spec: dict, probe: dict, sb_ip: str) -> tuple[str, str, str]:
        """Returns (connection-refused message, fault message, 404 message) of an HTTP/TCP probe; "" = fine."""
        ref = parse_image(spec["image"])
        repo = None if isinstance(ref, str) else ref.repo
        listening = set(repo.ports if repo else ())
        if repo is None or not repo.ports:
            listening |= {p.get("containerPort") for p in spec.get("ports") or []}

        def port_of(value):
            if isinstance(value, str):
                return next(
                    (p.get("containerPort") for p in spec.get("ports") or [] if p.get("name") == value), None
                )
            return value

        if "httpGet" in probe:
            hg = probe["httpGet"]
            port, path = port_of(hg.get("port")), hg.get("path", "/")
            refused = (
                ""
                if port in listening
                else (
                    f'Get "http://{sb_ip}:{port}{path}": dial tcp {sb_ip}:{port}: connect: connection refused'
                )
            )
            served = repo is None or not repo.serves or path.split("?")[0] in repo.serves
            return (
                refused,
                "HTTP probe failed with statuscode: 503",
                "" if served else ("HTTP probe failed with statuscode: 404"),
            )
        port = port_of(probe["tcpSocket"].get("port"))
        refused = "" if port in listening else f"dial tcp {sb_ip}:{port}: connect: connection refused"
        return refused, f"dial tcp {sb_ip}:{port}: i/o timeout", ""

    def _run_probes(self, pod, node, spec, ctr, wake):
        c = self.c
        now = c.clock.now
        name, ns = pod["metadata"]["name"], pod["metadata"]["namespace"]
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            st = ctr["probes"].get(kind)
            if st is None:
                continue
            if (
                kind != "startupProbe"
                and "startupProbe" in ctr["probes"]
                and not ctr["probes"]["startupProbe"].get("done")
            ):
                continue
            if st.get("done"):
                continue
            probe = spec[kind]
            while st["next"] <= now and ctr["state"] == "running":
                st["next"] += probe.get("periodSeconds", 10)
                ok, why = self.probe_result(pod, spec, ctr, kind)
                label = _PROBE_LABEL[kind]
                if ok:
                    st["fail"] = 0
                    st["ok"] += 1
                    if kind == "readinessProbe" and st["ok"] >= probe.get("successThreshold", 1):
                        ctr["ready"] = True
                    if kind == "startupProbe":
                        st["done"] = True
                        for other in ("livenessProbe", "readinessProbe"):
                            if other in ctr["probes"]:
                                ctr["probes"][other]["next"] = now + spec[other].get("initialDelaySeconds", 0)
                        if "readinessProbe" not in ctr["probes"]:
                            ctr["ready"] = True
                    continue
                st["ok"] = 0
                st["fail"] += 1
                threshold = probe.get("failureThreshold", 3)
                tmpl = "unhealthy-liveness" if kind != "readinessProbe" else "unhealthy-readiness"
                step, ko, en = narrate(tmpl, pod=name, n=min(st["fail"], threshold), threshold=threshold)
                c.emit(
                    "Warning",
                    "Unhealthy",
                    f"pod/{name}",
                    self.component(node),
                    f"{label} probe failed: {why}",
                    ko,
                    en,
                    step,
                    namespace=ns,
                )
                if kind == "readinessProbe":
                    if st["fail"] >= threshold:
                        ctr["ready"] = False
                elif st["fail"] >= threshold:
                    step, ko, en = narrate("liveness-kill", n=threshold, pod=name)
                    c.emit(
                        "Normal",
                        "Killing",
                        f"pod/{name}",
                        self.component(node),
                        f"Container {spec['name']} failed {label.lower()} probe, will be restarted",
                        ko,
                        en,
                        step,
                        namespace=ns,
                    )
                    self._container_exited(pod, node, spec, ctr, 137, "Error", killed=True)
                    return
            if ctr["state"] == "running":
                wake.append(st["next"])

    def _container_exited(self, pod, node, spec, ctr, code: int, reason: str, killed: bool = False) -> None:
        c = self.c
        now = c.clock.now
        ctr["last"] = {
            "terminated": {
                "exitCode": code,
                "reason": reason,
                "startedAt": stamp(ctr["startedAt"] or now),
                "finishedAt": stamp(now),
                "containerID": ctr.get("id", ""),
            }
        }
        ctr.update(
            state="terminated",
            reason=reason,
            exitCode=code,
            finishedAt=now,
            exitAt=None,
            pendingExit=None,
            ready=False,
            restartAt=None,
        )
        ctr["fs"] = {}  # the container's writable layer is lost with the container
        if not killed:
            name = pod["metadata"]["name"]
            step, ko, en = narrate("container-exited", pod=name, container=spec["name"], code=code)
            c.emit(
                "Warning" if code else "Normal",
                "Exited" if code == 0 else "Error",
                f"pod/{name}",
                self.component(node),
                f"Container {spec['name']} exited with code {code} ({reason})",
                ko,
                en,
                step,
                namespace=pod["metadata"]["namespace"],
            )

    def crash(self, pod_key: str) -> bool:
        """Makes the pod's main container exit with code 1 now (`sim crash`); returns False if not running."""
        c = self.c
        pod = c.store.get(pod_key)
        node = pod["spec"].get("nodeName") if pod else None
        if not node or not c.runtime.is_up(node):
            return False
        sb = c.runtime.node(node)["sandboxes"].get(pod_key)
        spec = pod["spec"]["containers"][0]
        ctr = (sb or {}).get("containers", {}).get(spec["name"])
        if not ctr or ctr["state"] != "running":
            return False
        ctr["logs"].append("*** simulated crash: main process exited with code 1 ***")
        ctr.setdefault("logTimes", []).append(c.clock.now)
        self._container_exited(pod, node, spec, ctr, 1, "Error")
        self.sync(pod_key)
        return True

    # ------------------------------------------------------------------------------------------ termination
    def _terminate(self, pod: dict, node: str, sb: dict | None) -> None:
        c = self.c
        now = c.clock.now
        key = etcd_key(BY_KIND["Pod"], pod["metadata"]["namespace"], pod["metadata"]["name"])
        name, ns = pod["metadata"]["name"], pod["metadata"]["namespace"]
        grace = pod["metadata"].get("deletionGracePeriodSeconds", 30)
        pending = []
        if sb is not None:
            for spec in pod["spec"]["containers"]:
                ctr = sb["containers"].get(spec["name"])
                if ctr is None:
                    continue
                if ctr["state"] == "running":
                    if ctr.get("stopAt") is None:
                        self._run_hook(pod, node, spec, sb, ctr, parse_image(spec["image"]), "preStop")
                        ref = parse_image(spec["image"])
                        stop = ref.repo.stop_seconds if not isinstance(ref, str) and ref.repo else 0.5
                        ctr["stopAt"] = now + min(grace, stop)
                        ctr["ready"] = False
                        step, ko, en = narrate("killing", node=node, pod=name, container=spec["name"])
                        c.emit(
                            "Normal",
                            "Killing",
                            f"pod/{name}",
                            self.component(node),
                            f"Stopping container {spec['name']}",
                            ko,
                            en,
                            step,
                            namespace=ns,
                        )
                    if ctr["stopAt"] > now:
                        pending.append(ctr["stopAt"])
                        continue
                    ctr.update(
                        state="terminated", reason="Completed", exitCode=0, finishedAt=now, stopAt=None
                    )
        if pending:
            self._write_status(pod, node, sb)
            c.clock.wake("kubelet", key, min(pending))
            return
        self._remove_sandbox(node, key)
        step, ko, en = narrate("pod-removed", node=node, pod=name)
        c.emit(
            "Normal",
            "Deleted",
            f"pod/{name}",
            self.component(node),
            f"Pod {name} terminated and removed",
            ko,
            en,
            step,
            namespace=ns,
            quiet=True,
        )
        c.api.remove_finalized_pod(pod, self.component(node))

    # ------------------------------------------------------------------------------------------ status
    def _write_status(self, pod: dict, node: str, sb: dict | None) -> None:
        c = self.c
        key = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
        sig = (
            node,
            pod["metadata"].get("deletionTimestamp"),
            None if sb is None else (sb["ip"], sb["uid"]),
            None
            if sb is None
            else [  # a list comprehension: cheaper than tuple(generator), and compared the same way
                (
                    n,
                    x["state"],
                    x["reason"],
                    x["message"],
                    x["exitCode"],
                    x["startedAt"],
                    x["finishedAt"],
                    x["restartCount"],
                    x["ready"],
                    x.get("stopAt"),
                    x["pulled"],
                    x["everStarted"],
                )
                for n, x in sb["containers"].items()
                # A record that is still fresh (waiting in ContainerCreating, nothing pulled, never started, no
                # message or last state) reports exactly what a missing record reports, so it is left out: the
                # pass that merely starts a pull then finds the status unchanged without rebuilding it.
                if x["everStarted"]
                or x["pulled"]
                or x["restartCount"]
                or x["last"]
                or x["message"]
                or x["state"] != "waiting"
                or x["reason"] not in (None, "ContainerCreating")
            ],
        )
        seen = self._seen.get(key)
        if seen is not None and seen[0] == sig and seen[1] is pod.get("status"):
            return
        self._write_status_now(pod, node, sb)
        current = c.store.objects.get("/registry/pods/" + key)  # store.get(etcd_key of the Pod resource)
        if current is not None:
            if len(self._seen) > 20_000:
                self._seen.clear()
            self._seen[key] = (sig, current.get("status"))

    def _write_status_now(self, pod: dict, node: str, sb: dict | None) -> None:
        c = self.c
        old = pod.get("status") or {}
        host_ip = c.node_ip(node)
        status = {
            "phase": old.get("phase", "Pending"),
            "qosClass": old.get("qosClass", "BestEffort"),
            "hostIP": host_ip,
            "hostIPs": [{"ip": host_ip}],
        }
        if sb is not None:
            status["podIP"] = sb["ip"]
            status["podIPs"] = [{"ip": sb["ip"]}]
            status["startTime"] = old.get("startTime") or stamp(sb["created"])
        statuses = []
        all_ready = sb is not None
        any_running = False
        all_started = sb is not None
        terminal = sb is not None
        all_succeeded = True
        policy = pod["spec"].get("restartPolicy", "Always")
        ctrs = sb.get("containers", {}) if sb else {}  # looked up once, not per container
        init_specs = pod["spec"].get("initContainers") or ()
        # With init containers, a container not created yet waits as PodInitializing (kubelet_pods.go
        # convertToAPIContainerStatuses: defaultWaitingState).
        default_reason = "PodInitializing" if init_specs else "ContainerCreating"
        initialized = True
        init_failed = False
        if init_specs:
            init_statuses = []
            for spec in init_specs:
                ctr = ctrs.get(spec["name"])
                cs = self._init_status(pod, spec, ctr)
                init_statuses.append(cs)
                if spec.get("restartPolicy") == "Always":
                    done = ctr is not None and bool(ctr.get("sidecarStarted"))
                    if ctr is None or not cs["ready"]:
                        all_ready = False
                else:
                    done = ctr is not None and ctr["state"] == "terminated" and ctr["exitCode"] == 0
                if not done:
                    initialized = False
                    if ctr is not None and ctr["state"] == "terminated" and policy == "Never":
                        init_failed = True
            status["initContainerStatuses"] = init_statuses
        for spec in pod["spec"]["containers"]:
            ctr = ctrs.get(spec["name"])
            if ctr is None:
                cs = {
                    "name": spec["name"],
                    "image": spec["image"],
                    "imageID": "",
                    "ready": False,
                    "restartCount": 0,
                    "started": False,
                    "state": {"waiting": {"reason": default_reason}},
                    "lastState": {},
                }
                all_started = False
                terminal = False
            else:
                # Built in one literal (same keys, same order as the entry of a missing container, then
                # containerID for a running one) rather than overwriting a default entry key by key.
                state = ctr["state"]
                if state == "running":
                    state_dict = {"running": {"startedAt": stamp(ctr["startedAt"])}}
                    any_running = True
                elif state == "terminated":
                    state_dict = {
                        "terminated": {
                            "exitCode": ctr["exitCode"],
                            "reason": ctr["reason"],
                            "startedAt": stamp(ctr["startedAt"] or 0),
                            "finishedAt": stamp(ctr["finishedAt"] or 0),
                        }
                    }
                    if ctr["exitCode"] != 0:
                        all_succeeded = False
                else:
                    reason = ctr["reason"] or "ContainerCreating"
                    waiting = {"reason": default_reason if reason == "ContainerCreating" else reason}
                    if ctr["message"]:
                        waiting["message"] = ctr["message"]
                    state_dict = {"waiting": waiting}
                cs = {
                    "name": spec["name"],
                    "image": spec["image"],
                    "imageID": _image_id(spec["image"]) if ctr["pulled"] else "",
                    "ready": bool(ctr["ready"] and state == "running" and ctr.get("stopAt") is None),
                    "restartCount": ctr["restartCount"],
                    "started": state == "running",
                    "state": state_dict,
                    "lastState": ctr["last"] or {},
                }
                if state == "running":
                    cs["containerID"] = (
                        f"containerd://{_digest(str(ctr['startedAt']) + pod['metadata']['uid'])}"
                    )
                if not ctr["everStarted"]:
                    all_started = False
                if (
                    state != "terminated"
                    or policy == "Always"
                    or (policy == "OnFailure" and ctr["exitCode"] != 0)
                ):
                    terminal = False
            if not cs["ready"]:
                all_ready = False
            statuses.append(cs)
        if init_failed:
            phase = "Failed"
        elif sb is None or not all_started or not initialized:
            phase = "Pending"
        elif terminal:
            phase = "Succeeded" if all_succeeded else "Failed"
        else:
            phase = "Running"
        if pod["metadata"].get("deletionTimestamp") and phase == "Pending" and any_running:
            phase = "Running"
        status["phase"] = phase
        # The old conditions by type, without a dict comprehension (a function call and a dict per write): the
        # kubelet writes these five in this order, so an index by type is one small loop.
        conds_old = {}
        for cd in old.get("conditions", ()):
            conds_old[cd["type"]] = cd
        finished = phase in ("Succeeded", "Failed")
        now_stamp = stamp(c.clock.now)
        get_old = conds_old.get
        # The five conditions written one after the other rather than in a loop over (type, ok) pairs: this
        # runs on every pod status write. Each keeps its lastTransitionTime while its status stays the same.
        value = "True" if sb is not None else "False"
        prev = get_old("PodReadyToStartContainers")
        ready_to_start = {
            "type": "PodReadyToStartContainers",
            "status": value,
            "lastProbeTime": None,
            "lastTransitionTime": prev["lastTransitionTime"]
            if prev and prev["status"] == value
            else now_stamp,
        }
        value = "True" if initialized else "False"
        prev = get_old("Initialized")
        init_cond = {
            "type": "Initialized",
            "status": value,
            "lastProbeTime": None,
            "lastTransitionTime": prev["lastTransitionTime"]
            if prev and prev["status"] == value
            else now_stamp,
        }
        if not initialized:
            names = [
                cs["name"]
                for cs in status.get("initContainerStatuses", ())
                if "terminated" not in cs["state"] or cs["state"]["terminated"]["exitCode"] != 0
            ]
            init_cond["reason"] = "ContainersNotInitialized"
            init_cond["message"] = f"containers with incomplete status: [{' '.join(names)}]"
        # Ready and ContainersReady: the same status, reason and message (built once for both)
        value = "True" if all_ready else "False"
        prev = get_old("Ready")
        ready_cond = {
            "type": "Ready",
            "status": value,
            "lastProbeTime": None,
            "lastTransitionTime": prev["lastTransitionTime"]
            if prev and prev["status"] == value
            else now_stamp,
        }
        prev = get_old("ContainersReady")
        containers_cond = {
            "type": "ContainersReady",
            "status": value,
            "lastProbeTime": None,
            "lastTransitionTime": prev["lastTransitionTime"]
            if prev and prev["status"] == value
            else now_stamp,
        }
        if not all_ready:
            reason = "PodCompleted" if finished else "ContainersNotReady"
            ready_cond["reason"] = containers_cond["reason"] = reason
            if not finished:
                names = [cs["name"] for cs in statuses if not cs["ready"]]
                unready = f"containers with unready status: [{' '.join(names)}]"
                ready_cond["message"] = containers_cond["message"] = unready
        prev = get_old("PodScheduled")
        scheduled = {
            "type": "PodScheduled",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": prev["lastTransitionTime"]
            if prev and prev["status"] == "True"
            else now_stamp,
        }
        status["conditions"] = [ready_to_start, init_cond, ready_cond, containers_cond, scheduled]
        status["containerStatuses"] = statuses
        if status != old:
            c.api.update_status(with_status(pod, status), self.component(node))
            was_ready = False
            if (
                all_ready
            ):  # (only a pod that is ready now can have just become ready: the old one is read then)
                for cd in old.get(
                    "conditions", ()
                ):  # loops, not any(generator): every status write runs this
                    if cd["type"] == "Ready" and cd["status"] == "True":
                        was_ready = True
                        break
            if all_ready and not was_ready:
                # it joins endpoints only when some Service's selector matches its labels
                labels = pod["metadata"].get("labels") or {}
                selected = False
                for _, sel in c._service_selectors(pod["metadata"]["namespace"]):
                    for k, v in sel:
                        if labels.get(k) != v:
                            break
                    else:
                        selected = True
                        break
                step, ko, en = narrate(
                    "pod-ready" if selected else "pod-ready-no-service", pod=pod["metadata"]["name"]
                )
                c.emit(
                    "Normal",
                    "Ready",
                    f"pod/{pod['metadata']['name']}",
                    self.component(node),
                    f"Pod {pod['metadata']['name']} is Ready",
                    ko,
                    en,
                    step,
                    namespace=pod["metadata"]["namespace"],
                    quiet=True,
                )

    def _init_status(self, pod: dict, spec: dict, ctr: dict | None) -> dict:
        """Returns one initContainerStatuses entry (an init container is never ready while it runs)."""
        cs = {
            "name": spec["name"],
            "image": spec["image"],
            "imageID": "",
            "ready": False,
            "restartCount": 0,
            "started": False,
            "state": {"waiting": {"reason": "PodInitializing"}},
            "lastState": {},
        }
        if ctr is None:
            return cs
        cs["restartCount"] = ctr["restartCount"]
        if ctr["last"]:
            cs["lastState"] = ctr["last"]
        if ctr["pulled"]:
            cs["imageID"] = _image_id(spec["image"])
        if ctr["state"] == "running":
            cs["state"] = {"running": {"startedAt": stamp(ctr["startedAt"])}}
            cs["started"] = True
            if spec.get("restartPolicy") == "Always":
                cs["ready"] = bool(ctr["ready"] and ctr.get("stopAt") is None)
        elif ctr["state"] == "terminated":
            term = {
                "exitCode": ctr["exitCode"],
                "reason": ctr["reason"],
                "startedAt": stamp(ctr["startedAt"] or 0),
                "finishedAt": stamp(ctr["finishedAt"] or 0),
            }
            cs["state"] = {"terminated": term}
            cs["ready"] = ctr["exitCode"] == 0
        else:
            reason = ctr["reason"] or "PodInitializing"
            waiting = {"reason": "PodInitializing" if reason == "ContainerCreating" else reason}
            if ctr["message"]:
                waiting["message"] = ctr["message"]
            cs["state"] = {"waiting": waiting}
        return cs

    def mark_pods_not_ready(self, node: str) -> None:
        """Sets Ready=False on every pod of an unreachable node (done by the node controller)."""
        c = self.c
        for pod in c.store.pods_on(node):
            conds = pod.get("status", {}).get("conditions", ())
            if not any(cd["type"] == "Ready" and cd["status"] == "True" for cd in conds):
                continue
            new = clone(pod)
            for cd in new["status"]["conditions"]:
                if cd["type"] in ("Ready", "ContainersReady"):
                    cd.update(
                        status="False",
                        lastTransitionTime=stamp(c.clock.now),
                        reason="NodeNotReady",
                        message="Node is not ready",
                    )
            for cs in new["status"].get("containerStatuses", ()):
                cs["ready"] = False
            c.api.update_status(new, "node-controller")


@functools.lru_cache(maxsize=8192)
def _image_id(image: str) -> str:
    """Returns the imageID a pulled container reports (cached: parsed on every status write otherwise)."""
    ref = parse_image(image)
    return f"{ref.full.rsplit(':', 1)[0]}@sha256:{_digest(ref.full)}" if not isinstance(ref, str) else ""


@functools.lru_cache(maxsize=8192)
def _digest(text: str) -> str:
    """Returns a stable 64-hex digest-looking string for text (not cryptographic)."""
    return hashlib.sha256(text.encode()).hexdigest()
