"""Real-world cases for container programs: command/args, env, probes, init containers, volumes, exit codes.

Some cases run `busybox:1.36` where their page uses `registry.k8s.io/busybox:1.27.2`, `busybox:1.28`, `debian`
or `bash`: each runs the given `sh`/`echo`/`printenv` the same way (noted per case).
"""

import pytest

from tests.engine.conftest import get, ok
from tests.engine.world.examples import LIVENESS_HTTP, MYAPP_POD, PI_JOB, SHELL_DEMO, WEB_STATEFULSET
from tests.engine.world.helpers import pod_row


def _apply(c, manifest):
    ok(c, "kubectl apply -f -", manifest)


def _started_at(c, name, container=None):
    """Returns the simulated time (s) at which the pod's (first) container last started."""
    from visualizer.engine.clock import parse_stamp

    pod = get(c, f"pod {name}")[0]
    statuses = pod["status"]["containerStatuses"]
    cs = next(s for s in statuses if container in (None, s["name"]))
    return parse_stamp(cs["state"]["running"]["startedAt"])


def _run_until_running(c, name, limit=60):
    for _ in range(limit):
        c.advance(1)
        pod = get(c, f"pod {name}")[0]
        if any("running" in s["state"] for s in pod["status"].get("containerStatuses") or []):
            return
    raise AssertionError(f"{name} never started")


EXEC_LIVENESS = """
apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: busybox:1.36
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
"""


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"
)
def test_exec_liveness_pod_restarts_about_40_seconds_after_start(cluster):
    """The docs' liveness-exec pod: probes at 5 s, 10 s, … pass while /tmp/healthy exists; it is removed at
    30 s, so the probes at 30, 35 and 40 s fail and the third failure (failureThreshold 3) restarts it at 40 s."""
    c = cluster
    _apply(c, EXEC_LIVENESS)
    _run_until_running(c, "liveness-exec")
    start = _started_at(c, "liveness-exec")
    c.advance(start + 29 - c.now)  # /tmp/healthy still exists: every probe so far passed
    assert "Liveness probe failed" not in ok(c, "kubectl get events").output
    c.advance(start + 39 - c.now)
    assert pod_row(c, "liveness-exec")[2] == "0"
    events = ok(c, "kubectl get events").output
    assert "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory" in events
    c.advance(2)
    ready, status, restarts = pod_row(c, "liveness-exec")
    assert restarts.startswith("1") and status == "Running"
    assert "Container liveness failed liveness probe, will be restarted" in ok(c, "kubectl get events").output


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"
)
def test_agnhost_liveness_answers_500_after_10_seconds_and_is_restarted(cluster):
    """agnhost liveness serves /healthz 200 for 10 s then 500: probes at 12, 15, 18 s fail → restart at 18 s."""
    c = cluster
    _apply(c, LIVENESS_HTTP)
    _run_until_running(c, "liveness-http")
    start = _started_at(c, "liveness-http")
    c.advance(start + 17 - c.now)
    assert pod_row(c, "liveness-http")[2] == "0"
    assert (
        "Liveness probe failed: HTTP probe failed with statuscode: 500" in ok(c, "kubectl get events").output
    )
    c.advance(2)
    assert pod_row(c, "liveness-http")[2].startswith("1")


COMMAND_DEMO = """
apiVersion: v1
kind: Pod
metadata:
  name: command-demo
  labels:
    purpose: demonstrate-command
spec:
  containers:
  - name: command-demo-container
    image: busybox:1.36
    command: ["printenv"]
    args: ["HOSTNAME", "KUBERNETES_PORT"]
  restartPolicy: OnFailure
"""


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/"
)
def test_command_and_args_print_hostname_and_kubernetes_port_then_complete(cluster):
    """command printenv with args HOSTNAME KUBERNETES_PORT: the log is the pod name and the API's tcp:// URL;
    exit 0 under OnFailure leaves the pod Completed."""
    c = cluster
    _apply(c, COMMAND_DEMO)
    c.advance(30)
    kube_ip = get(c, "service kubernetes")[0]["spec"]["clusterIP"]
    assert ok(c, "kubectl logs command-demo").output == f"command-demo\ntcp://{kube_ip}:443"
    assert pod_row(c, "command-demo")[1] == "Completed"
    assert get(c, "pod command-demo")[0]["status"]["phase"] == "Succeeded"


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/"
)
def test_args_use_env_through_kubernetes_var_syntax(cluster):
    """`$(MESSAGE)` in args is replaced by the env value before the process starts (no shell involved)."""
    c = cluster
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata: {name: msg}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox:1.36
    env:
    - name: MESSAGE
      value: "hello world"
    command: ["/bin/echo"]
    args: ["$(MESSAGE)", "$(UNDEFINED)", "$$(MESSAGE)"]
""",
    )
    c.advance(30)
    assert ok(c, "kubectl logs msg").output == "hello world $(UNDEFINED) $(MESSAGE)"


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/"
)
def test_a_shell_loop_in_args_logs_every_ten_seconds(cluster):
    """command /bin/sh, args -c 'while true; do echo hello; sleep 10;done': one `hello` per 10 s of time."""
    c = cluster
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata: {name: loop}
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["/bin/sh"]
    args: ["-c", "while true; do echo hello; sleep 10;done"]
""",
    )
    _run_until_running(c, "loop")
    first = ok(c, "kubectl logs loop").output.count("hello")
    c.advance(60)
    assert ok(c, "kubectl logs loop").output.count("hello") == first + 6
    assert pod_row(c, "loop")[1] == "Running"


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/"
)
def test_env_values_refer_to_earlier_env_values(cluster):
    """MESSAGE "$(GREETING) $(HONORIFIC) $(NAME)" expands from the variables defined before it."""
    c = cluster
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata:
  name: print-greeting
spec:
  containers:
  - name: env-print-demo
    image: busybox:1.36
    env:
    - name: GREETING
      value: "Warm greetings to"
    - name: HONORIFIC
      value: "The Most Honorable"
    - name: NAME
      value: "Kubernetes"
    - name: MESSAGE
      value: "$(GREETING) $(HONORIFIC) $(NAME)"
    command: ["echo"]
    args: ["$(MESSAGE)"]
""",
    )
    c.advance(30)
    assert ok(c, "kubectl logs print-greeting").output == "Warm greetings to The Most Honorable Kubernetes"


# The init-containers page's myapp-pod on busybox:1.36 (the programs catalogue's busybox), the same as 1.28 here.
MYAPP = MYAPP_POD.replace("busybox:1.28", "busybox:1.36")

SERVICES = """
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  ports:
  - protocol: TCP
    port: 80
    targetPort: {port}
"""


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/pods/init-containers/")
def test_init_containers_wait_for_their_services_then_the_app_runs(cluster):
    """myapp-pod stays Init:0/2 until myservice exists, Init:1/2 until mydb exists, then Running."""
    c = cluster
    _apply(c, MYAPP)
    c.advance(60)
    assert pod_row(c, "myapp-pod")[:2] == ("0/1", "Init:0/2")
    assert get(c, "pod myapp-pod")[0]["status"]["phase"] == "Pending"
    assert "waiting for myservice" in ok(c, "kubectl logs myapp-pod -c init-myservice").output
    _apply(c, SERVICES.format(name="myservice", port=9376))
    c.advance(5)
    assert pod_row(c, "myapp-pod")[1] == "Init:1/2"
    _apply(c, SERVICES.format(name="mydb", port=9377))
    c.advance(10)
    assert pod_row(c, "myapp-pod")[:2] == ("1/1", "Running")
    assert ok(c, "kubectl logs myapp-pod").output == (
        'Defaulted container "myapp-container" out of: myapp-container, init-myservice (init), init-mydb (init)\n'
        "The app is running!"
    )
    conditions = {cd["type"]: cd["status"] for cd in get(c, "pod myapp-pod")[0]["status"]["conditions"]}
    assert conditions["Initialized"] == "True"


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/pods/init-containers/")
def test_a_failing_init_container_goes_into_init_crash_loop_back_off(cluster):
    """An init container exiting 1 under restartPolicy Always is retried with back-off: Init:CrashLoopBackOff,
    its last termination `Error` with exit code 1; the app container never starts (PodInitializing)."""
    c = cluster
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata: {name: init-fails}
spec:
  initContainers:
  - name: setup
    image: busybox:1.36
    command: ["sh", "-c", "echo setting up; exit 1"]
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
""",
    )
    statuses = set()
    for _ in range(60):
        c.advance(1)
        statuses.add(pod_row(c, "init-fails")[1])
    assert "Init:CrashLoopBackOff" in statuses
    assert "Running" not in statuses
    status = get(c, "pod init-fails")[0]["status"]
    last = status["initContainerStatuses"][0]["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("Error", 1)
    assert status["containerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    assert ok(c, "kubectl logs init-fails -c setup").output == "setting up"


CONFIGMAP = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: special-config
  namespace: default
data:
  SPECIAL_LEVEL: very
  SPECIAL_TYPE: charm
"""


@pytest.mark.cites("https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/")
def test_configmap_volume_lists_its_keys(cluster):
    """`ls /etc/config/` in a pod mounting special-config prints SPECIAL_LEVEL and SPECIAL_TYPE."""
    c = cluster
    _apply(c, CONFIGMAP)
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata:
  name: dapi-test-pod
spec:
  containers:
    - name: test-container
      image: busybox:1.36
      command: [ "/bin/sh", "-c", "ls /etc/config/" ]
      volumeMounts:
      - name: config-volume
        mountPath: /etc/config
  volumes:
    - name: config-volume
      configMap:
        name: special-config
  restartPolicy: Never
""",
    )
    c.advance(30)
    assert ok(c, "kubectl logs dapi-test-pod").output == "SPECIAL_LEVEL\nSPECIAL_TYPE"
    assert pod_row(c, "dapi-test-pod")[1] == "Completed"


@pytest.mark.cites("https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/")
def test_configmap_env_and_items_reach_the_program(cluster):
    """valueFrom configMapKeyRef feeds `$(SPECIAL_LEVEL_KEY)`; a volume with items puts one key at `keys`."""
    c = cluster
    _apply(c, CONFIGMAP)
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata:
  name: dapi-test-pod
spec:
  containers:
    - name: test-container
      image: busybox:1.36
      command: [ "/bin/echo", "$(SPECIAL_LEVEL_KEY) $(SPECIAL_TYPE_KEY)" ]
      env:
        - name: SPECIAL_LEVEL_KEY
          valueFrom:
            configMapKeyRef:
              name: special-config
              key: SPECIAL_LEVEL
        - name: SPECIAL_TYPE_KEY
          valueFrom:
            configMapKeyRef:
              name: special-config
              key: SPECIAL_TYPE
  restartPolicy: Never
---
apiVersion: v1
kind: Pod
metadata:
  name: dapi-keys-pod
spec:
  containers:
    - name: test-container
      image: busybox:1.36
      command: [ "/bin/sh","-c","cat /etc/config/keys" ]
      volumeMounts:
      - name: config-volume
        mountPath: /etc/config
  volumes:
    - name: config-volume
      configMap:
        name: special-config
        items:
        - key: SPECIAL_LEVEL
          path: keys
  restartPolicy: Never
""",
    )
    c.advance(30)
    assert ok(c, "kubectl logs dapi-test-pod").output == "very charm"
    assert ok(c, "kubectl logs dapi-keys-pod").output == "very"


DAPI_VOLUME = """
apiVersion: v1
kind: Pod
metadata:
  name: kubernetes-downwardapi-volume-example
  labels:
    zone: us-est-coast
    cluster: test-cluster1
    rack: rack-22
  annotations:
    build: two
    builder: john-doe
spec:
  containers:
    - name: client-container
      image: busybox:1.36
      command: ["sh", "-c"]
      args:
      - while true; do
          if [[ -e /etc/podinfo/labels ]]; then
            echo -en '\\n\\n'; cat /etc/podinfo/labels; fi;
          if [[ -e /etc/podinfo/annotations ]]; then
            echo -en '\\n\\n'; cat /etc/podinfo/annotations; fi;
          sleep 5;
        done;
      volumeMounts:
        - name: podinfo
          mountPath: /etc/podinfo
  volumes:
    - name: podinfo
      downwardAPI:
        items:
          - path: "labels"
            fieldRef:
              fieldPath: metadata.labels
          - path: "annotations"
            fieldRef:
              fieldPath: metadata.annotations
"""


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/inject-data-application/downward-api-volume-expose-pod-information/"
)
def test_downward_api_volume_shows_labels_and_annotations(cluster):
    """The labels file holds `key="value"` lines sorted by key; the loop prints them every 5 s."""
    c = cluster
    _apply(c, DAPI_VOLUME)
    c.advance(30)
    logs = ok(c, "kubectl logs kubernetes-downwardapi-volume-example").output
    assert 'cluster="test-cluster1"\nrack="rack-22"\nzone="us-est-coast"\n\n' in logs
    assert 'build="two"\nbuilder="john-doe"' in logs
    listing = ok(c, "kubectl exec kubernetes-downwardapi-volume-example -- ls /etc/podinfo").output
    assert listing.split() == ["annotations", "labels"]


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/inject-data-application/environment-variable-expose-pod-information/"
)
def test_downward_api_env_from_fields_and_resources(cluster):
    """fieldRef env (node, pod name, namespace, IP) and resourceFieldRef env (requests/limits in units)."""
    c = cluster
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata:
  name: dapi-envars-resourcefieldref
spec:
  containers:
    - name: test-container
      image: busybox:1.36
      command: [ "sh", "-c"]
      args:
      - while true; do
          echo -en '\\n';
          printenv MY_CPU_REQUEST MY_CPU_LIMIT;
          printenv MY_MEM_REQUEST MY_MEM_LIMIT;
          printenv MY_NODE_NAME MY_POD_NAME MY_POD_NAMESPACE MY_POD_IP;
          sleep 10;
        done;
      resources:
        requests:
          memory: "32Mi"
          cpu: "125m"
        limits:
          memory: "64Mi"
          cpu: "250m"
      env:
        - name: MY_CPU_REQUEST
          valueFrom:
            resourceFieldRef:
              containerName: test-container
              resource: requests.cpu
        - name: MY_CPU_LIMIT
          valueFrom:
            resourceFieldRef:
              containerName: test-container
              resource: limits.cpu
        - name: MY_MEM_REQUEST
          valueFrom:
            resourceFieldRef:
              containerName: test-container
              resource: requests.memory
        - name: MY_MEM_LIMIT
          valueFrom:
            resourceFieldRef:
              containerName: test-container
              resource: limits.memory
        - name: MY_NODE_NAME
          valueFrom:
            fieldRef:
              fieldPath: spec.nodeName
        - name: MY_POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: MY_POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        - name: MY_POD_IP
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
  restartPolicy: Never
""",
    )
    c.advance(30)
    pod = get(c, "pod dapi-envars-resourcefieldref")[0]
    logs = ok(c, "kubectl logs dapi-envars-resourcefieldref").output.split("\n\n")[-1]
    assert logs.splitlines() == [
        "1",
        "1",
        "33554432",
        "67108864",
        pod["spec"]["nodeName"],
        "dapi-envars-resourcefieldref",
        "default",
        pod["status"]["podIP"],
    ]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/")
def test_restart_policy_decides_what_an_exit_does(cluster):
    """exit 1 under Never → Error/Failed; exit 0 under OnFailure → Completed/Succeeded; exit 1 under Always →
    restarted with back-off (CrashLoopBackOff) and `logs --previous` shows the last run."""
    c = cluster
    pod = """
apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  restartPolicy: {policy}
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "echo run at $(date +%s); sleep 2; exit {code}"]
"""
    _apply(c, pod.format(name="never", policy="Never", code=1))
    _apply(c, pod.format(name="onfailure", policy="OnFailure", code=0))
    _apply(c, pod.format(name="always", policy="Always", code=1))
    c.advance(60)
    assert pod_row(c, "never")[1:] == ("Error", "0")
    assert get(c, "pod never")[0]["status"]["phase"] == "Failed"
    assert pod_row(c, "onfailure")[1:] == ("Completed", "0")
    assert get(c, "pod onfailure")[0]["status"]["phase"] == "Succeeded"
    always = get(c, "pod always")[0]["status"]["containerStatuses"][0]
    assert always["restartCount"] >= 2
    assert always["lastState"]["terminated"]["exitCode"] == 1
    assert always["lastState"]["terminated"]["reason"] == "Error"
    statuses = set()
    for _ in range(40):
        c.advance(1)
        statuses.add(pod_row(c, "always")[1])
    assert "CrashLoopBackOff" in statuses
    assert ok(c, "kubectl logs always --previous").output.startswith("run at ")


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/access-application-cluster/communicate-containers-same-pod-shared-volume/"
)
def test_two_containers_share_an_empty_dir(cluster):
    """The second container writes index.html into the shared emptyDir and exits; nginx then serves it."""
    c = cluster
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata:
  name: two-containers
spec:
  restartPolicy: Never
  volumes:
  - name: shared-data
    emptyDir: {}
  containers:
  - name: nginx-container
    image: nginx:1.27
    volumeMounts:
    - name: shared-data
      mountPath: /usr/share/nginx/html
  - name: debian-container
    image: busybox:1.36
    volumeMounts:
    - name: shared-data
      mountPath: /pod-data
    command: ["/bin/sh"]
    args: ["-c", "echo Hello from the debian container > /pod-data/index.html"]
""",
    )
    c.advance(40)
    pod = get(c, "pod two-containers")[0]
    states = {s["name"]: s["state"] for s in pod["status"]["containerStatuses"]}
    assert states["debian-container"]["terminated"]["reason"] == "Completed"
    assert "running" in states["nginx-container"]
    assert pod_row(c, "two-containers")[0] == "1/2"
    out = ok(c, "kubectl exec two-containers -c nginx-container -- curl -s localhost").output
    assert out == "Hello from the debian container"


@pytest.mark.cites("https://kubernetes.io/docs/tasks/debug/debug-application/get-shell-running-container/")
def test_exec_shell_commands_see_the_container(cluster):
    """`kubectl exec shell-demo -- …`: ls /, echo into the nginx root then curl localhost, env | grep."""
    c = cluster
    # shell-demo.yaml as this case was written: nginx pinned to 1.27, and on the pod network (without the
    # page's hostNetwork/dnsPolicy) so the pod has its own IP and hostname.
    _apply(
        c,
        SHELL_DEMO.replace("    image: nginx\n", "    image: nginx:1.27\n").replace(
            "  hostNetwork: true\n  dnsPolicy: Default\n", ""
        ),
    )
    c.advance(40)
    assert "usr" in ok(c, "kubectl exec shell-demo -- ls /").output.split()
    ok(c, "kubectl exec shell-demo -- sh -c \"echo 'Hello shell demo' > /usr/share/nginx/html/index.html\"")
    assert ok(c, "kubectl exec shell-demo -- curl http://localhost/").output == "Hello shell demo"
    assert ok(c, "kubectl exec shell-demo -- env | grep HOSTNAME").output == "HOSTNAME=shell-demo"
    assert ok(c, "kubectl exec shell-demo -- echo $HOSTNAME").output == "shell-demo"
    logs = ok(c, "kubectl logs shell-demo").output
    assert "/docker-entrypoint.sh: Configuration complete; ready for start up" in logs


@pytest.mark.cites("https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/")
def test_memory_over_the_limit_is_oom_killed(cluster):
    """memory-demo-2: stress allocates 250M under a 100Mi limit → OOMKilled (exit 137), then CrashLoopBackOff."""
    c = cluster
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata:
  name: memory-demo-2
spec:
  containers:
  - name: memory-demo-2-ctr
    image: polinux/stress
    resources:
      requests:
        memory: "50Mi"
      limits:
        memory: "100Mi"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"]
""",
    )
    statuses = set()
    for _ in range(60):
        c.advance(1)
        statuses.add(pod_row(c, "memory-demo-2")[1])
    # The engine restarts at once after the first kill, so STATUS shows OOMKilled only within an instant;
    # lastState keeps it, as `kubectl get pod memory-demo-2 -o yaml` on the page shows.
    assert "CrashLoopBackOff" in statuses
    last = get(c, "pod memory-demo-2")[0]["status"]["containerStatuses"][0]["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("OOMKilled", 137)


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/job/")
def test_job_perl_prints_pi_to_2000_digits(cluster):
    """The pi Job: its pod prints π to 2000 digits and ends Completed."""
    c = cluster
    _apply(c, PI_JOB)
    c.advance(120)
    pod = [p for p in get(c, "pods") if p["metadata"]["name"].startswith("pi-")][0]
    name = pod["metadata"]["name"]
    assert pod_row(c, name)[1] == "Completed"
    out = ok(c, f"kubectl logs {name}").output
    assert out.startswith("3.14159265358979323846264338327950288419716939937510")
    assert len(out) == 2001


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/")
def test_a_sidecar_init_container_keeps_running_beside_the_app(cluster):
    """An init container with restartPolicy Always starts first, keeps running, and counts in READY (2/2)."""
    c = cluster
    _apply(
        c,
        """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapp
  labels:
    app: myapp
spec:
  replicas: 1
  selector:
    matchLabels:
      app: myapp
  template:
    metadata:
      labels:
        app: myapp
    spec:
      containers:
        - name: myapp
          image: alpine:latest
          command: ['sh', '-c', 'while true; do echo "logging" >> /opt/logs.txt; sleep 1; done']
          volumeMounts:
            - name: data
              mountPath: /opt
      initContainers:
        - name: logshipper
          image: alpine:latest
          restartPolicy: Always
          command: ['sh', '-c', 'tail -F /opt/logs.txt']
          volumeMounts:
            - name: data
              mountPath: /opt
      volumes:
        - name: data
          emptyDir: {}
""",
    )
    c.advance(40)
    name = [p["metadata"]["name"] for p in get(c, "pods") if p["metadata"]["name"].startswith("myapp-")][0]
    assert pod_row(c, name)[:3] == ("2/2", "Running", "0")
    pod = get(c, f"pod {name}")[0]
    assert "running" in pod["status"]["initContainerStatuses"][0]["state"]
    lines = ok(c, f"kubectl exec {name} -c myapp -- wc -l /opt/logs.txt").output.split()
    assert int(lines[0]) >= 30


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/pods/init-containers/")
def test_a_failed_init_container_fails_a_never_restarting_pod(cluster):
    """restartPolicy Never: an init container exiting 2 fails the pod (Init:Error, phase Failed); the app
    container never starts."""
    c = cluster
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata: {name: init-never}
spec:
  restartPolicy: Never
  initContainers:
  - name: check
    image: busybox:1.36
    command: ["sh", "-c", "echo config missing >&2; exit 2"]
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
""",
    )
    c.advance(30)
    assert pod_row(c, "init-never")[:2] == ("0/1", "Init:Error")
    status = get(c, "pod init-never")[0]["status"]
    assert status["phase"] == "Failed"
    assert status["initContainerStatuses"][0]["state"]["terminated"]["exitCode"] == 2
    assert ok(c, "kubectl logs init-never -c check").output == "config missing"


@pytest.mark.cites("https://kubernetes.io/docs/tasks/configure-pod-container/attach-handler-lifecycle-event/")
def test_post_start_hook_writes_a_file_the_container_sees(cluster):
    """lifecycle-demo: the postStart exec handler writes /usr/share/message, which `cat` then shows."""
    c = cluster
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata:
  name: lifecycle-demo
spec:
  containers:
  - name: lifecycle-demo-container
    image: nginx:1.27
    lifecycle:
      postStart:
        exec:
          command: ["/bin/sh", "-c", "echo Hello from the postStart handler > /usr/share/message"]
      preStop:
        exec:
          command: ["/bin/sh","-c","nginx -s quit; while killall -0 nginx; do sleep 1; done"]
""",
    )
    c.advance(40)
    assert (
        ok(c, "kubectl exec lifecycle-demo -- cat /usr/share/message").output
        == "Hello from the postStart handler"
    )
    assert pod_row(c, "lifecycle-demo")[1] == "Running"


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/access-application-cluster/communicate-containers-same-pod-shared-volume/"
)
def test_logs_of_a_two_container_pod_name_the_defaulted_container(cluster):
    """Without -c, kubectl picks the first container and says so: `Defaulted container "a" out of: a, b`."""
    c = cluster
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata: {name: pair}
spec:
  containers:
  - {name: first, image: busybox:1.36, command: ["sh", "-c", "echo from first; sleep 3600"]}
  - {name: second, image: busybox:1.36, command: ["sh", "-c", "echo from second; sleep 3600"]}
""",
    )
    c.advance(30)
    assert (
        ok(c, "kubectl logs pair").output == 'Defaulted container "first" out of: first, second\nfrom first'
    )
    assert ok(c, "kubectl logs pair -c second").output == "from second"


# ---------------------------------------------------------------------------------------------- cluster DNS
DAPI_ENVARS_FIELDREF = """
apiVersion: v1
kind: Pod
metadata:
  name: dapi-envars-fieldref
spec:
  containers:
    - name: test-container
      image: registry.k8s.io/busybox:1.27.2
      command: [ "sh", "-c"]
      args:
      - while true; do
          echo -en '\\n';
          printenv MY_NODE_NAME MY_POD_NAME MY_POD_NAMESPACE;
          printenv MY_POD_IP MY_POD_SERVICE_ACCOUNT;
          sleep 10;
        done;
      env:
        - name: MY_NODE_NAME
          valueFrom:
            fieldRef:
              fieldPath: spec.nodeName
        - name: MY_POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: MY_POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        - name: MY_POD_IP
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
        - name: MY_POD_SERVICE_ACCOUNT
          valueFrom:
            fieldRef:
              fieldPath: spec.serviceAccountName
  restartPolicy: Never
"""


@pytest.mark.cites(
    "https://kubernetes.io/docs/tasks/inject-data-application/environment-variable-expose-pod-information/"
)
def test_dapi_envars_fieldref_logs_node_pod_namespace_ip_and_service_account(cluster):
    """dapi-envars-fieldref prints its node, name, namespace, IP and service account (`default`) every 10 s."""
    c = cluster
    _apply(c, DAPI_ENVARS_FIELDREF)
    c.advance(30)
    pod = get(c, "pod dapi-envars-fieldref")[0]
    block = ok(c, "kubectl logs dapi-envars-fieldref").output.split("\n\n")[-1]
    assert block.splitlines() == [
        pod["spec"]["nodeName"],
        "dapi-envars-fieldref",
        "default",
        pod["status"]["podIP"],
        "default",
    ]


@pytest.mark.cites("https://kubernetes.io/docs/reference/kubectl/generated/kubectl_run/")
def test_kubectl_run_a_shell_command_then_logs_show_its_output(cluster):
    """`kubectl run test --image=busybox:1.28 --restart=Never -- sh -c 'echo hi; env | grep HOST'`: the pod
    completes and its log holds `hi` and `HOSTNAME=test`; exec in a running pod sees its own HOSTNAME."""
    c = cluster
    ok(c, "kubectl run test --image=busybox:1.28 --restart=Never -- sh -c 'echo hi; env | grep HOST'")
    c.advance(30)
    assert pod_row(c, "test")[1] == "Completed"
    lines = ok(c, "kubectl logs test").output.splitlines()
    assert lines[0] == "hi" and "HOSTNAME=test" in lines
    ok(c, "kubectl run sleeper --image=busybox:1.28 -- sleep 3600")
    c.advance(30)
    assert ok(c, "kubectl exec sleeper -- sh -c 'echo $HOSTNAME'").output == "sleeper"


@pytest.mark.cites("https://kubernetes.io/docs/concepts/workloads/controllers/job/")
def test_logs_of_a_job_print_its_pod_output(cluster):
    """`kubectl logs jobs/pi` reads the Job's pod: π to 2000 digits."""
    c = cluster
    _apply(c, PI_JOB)
    c.advance(120)
    assert ok(c, "kubectl logs jobs/pi").output.startswith("3.141592653589793238462643383279502884197")


DNS_HEAD = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"


@pytest.mark.cites("https://kubernetes.io/docs/tutorials/stateful-application/basic-stateful-set/")
def test_statefulset_pods_have_stable_dns_names_under_the_headless_service(cluster):
    """`nslookup web-0.nginx` from inside the cluster answers web-0's pod IP (hostname = pod name, subdomain =
    serviceName); the FQDN is not searched again; the headless Service name answers every ready pod."""
    c = cluster
    _apply(c, WEB_STATEFULSET)
    c.advance(90)
    ips = {p["metadata"]["name"]: p["status"]["podIP"] for p in get(c, "pods -l app=nginx")}
    assert set(ips) == {"web-0", "web-1"}
    for name in ("web-0", "web-1"):
        assert ok(c, f"kubectl exec {name} -- sh -c 'hostname'").output == name
        assert ok(c, f"kubectl exec web-0 -- nslookup {name}.nginx").output == (
            DNS_HEAD + f"Name:\t{name}.nginx.default.svc.cluster.local\nAddress: {ips[name]}"
        )
    fqdn = ok(c, "kubectl exec web-1 -- nslookup web-0.nginx.default.svc.cluster.local").output
    assert fqdn == DNS_HEAD + f"Name:\tweb-0.nginx.default.svc.cluster.local\nAddress: {ips['web-0']}"
    both = ok(c, "kubectl exec web-0 -- nslookup nginx").output
    assert sorted(line for line in both.splitlines() if line.startswith("Address: ")) == sorted(
        f"Address: {ip}" for ip in ips.values()
    )
    addresses = get(c, "endpoints nginx")[0]["subsets"][0]["addresses"]
    assert sorted(a["hostname"] for a in addresses) == ["web-0", "web-1"]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/")
def test_pods_with_hostname_and_subdomain_get_dns_records_and_a_cluster_resolv_conf(cluster):
    """busybox1/busybox2 with hostname busybox-1/-2 and subdomain busybox-subdomain (a headless Service): each
    FQDN resolves to its pod; resolv.conf names kube-dns with the namespace's search path and ndots:5."""
    c = cluster
    _apply(
        c,
        """
apiVersion: v1
kind: Service
metadata:
  name: busybox-subdomain
spec:
  selector:
    name: busybox
  clusterIP: None
  ports:
  - name: foo # name is not required for single-port Services
    port: 1234
---
apiVersion: v1
kind: Pod
metadata:
  name: busybox1
  labels:
    name: busybox
spec:
  hostname: busybox-1
  subdomain: busybox-subdomain
  containers:
  - image: busybox:1.28
    command:
      - sleep
      - "3600"
    name: busybox
---
apiVersion: v1
kind: Pod
metadata:
  name: busybox2
  labels:
    name: busybox
spec:
  hostname: busybox-2
  subdomain: busybox-subdomain
  containers:
  - image: busybox:1.28
    command:
      - sleep
      - "3600"
    name: busybox
""",
    )
    c.advance(40)
    ip2 = get(c, "pod busybox2")[0]["status"]["podIP"]
    assert ok(c, "kubectl exec busybox1 -- hostname").output == "busybox-1"
    out = ok(
        c, "kubectl exec busybox1 -- nslookup busybox-2.busybox-subdomain.default.svc.cluster.local"
    ).output
    assert out == DNS_HEAD + f"Name:\tbusybox-2.busybox-subdomain.default.svc.cluster.local\nAddress: {ip2}"
    assert ok(c, "kubectl exec busybox1 -- cat /etc/resolv.conf").output == (
        "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5"
    )
    hosts = ok(c, "kubectl exec busybox1 -- cat /etc/hosts").output.splitlines()
    ip1 = get(c, "pod busybox1")[0]["status"]["podIP"]
    assert hosts[-1] == f"{ip1}\tbusybox-1.busybox-subdomain.default.svc.cluster.local\tbusybox-1"
    missing = c.run("kubectl exec busybox1 -- nslookup busybox-3.busybox-subdomain")
    assert "** server can't find busybox-3.busybox-subdomain: NXDOMAIN" in missing.output


@pytest.mark.cites("https://kubernetes.io/docs/tasks/administer-cluster/dns-debugging-resolution/")
def test_kube_dns_service_and_coredns_pods_answer_kubernetes_default(cluster):
    """The page's checks: `kubectl get svc --namespace=kube-system` lists kube-dns (53/UDP,53/TCP,9153/TCP),
    the CoreDNS pods (label k8s-app=kube-dns) run, and `nslookup kubernetes.default` from a pod answers
    10.96.0.1 through the nameserver 10.96.0.10."""
    c = cluster
    svc = ok(c, "kubectl get svc --namespace=kube-system").output.splitlines()
    assert svc[1].split()[:5] == ["kube-dns", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP,9153/TCP"]
    dns_pods = get(c, "pods --namespace=kube-system -l k8s-app=kube-dns")
    assert len(dns_pods) == 2 and all(p["status"]["phase"] == "Running" for p in dns_pods)
    assert dns_pods[0]["spec"]["containers"][0]["image"] == "registry.k8s.io/coredns/coredns:v1.12.1"
    deploy = ok(c, "kubectl get deployment coredns -n kube-system").output.splitlines()[1].split()
    assert deploy[:2] == ["coredns", "2/2"]
    assert ok(c, "kubectl get pods").output == "No resources found in default namespace."
    _apply(
        c,
        """
apiVersion: v1
kind: Pod
metadata:
  name: dnsutils
  namespace: default
spec:
  containers:
  - name: dnsutils
    image: registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3
    command:
      - sleep
      - "infinity"
    imagePullPolicy: IfNotPresent
  restartPolicy: Always
""",
    )
    c.advance(60)
    out = ok(c, "kubectl exec -i -t dnsutils -- nslookup kubernetes.default").output
    assert out == DNS_HEAD + "Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1"
    resolv = ok(c, "kubectl exec -ti dnsutils -- cat /etc/resolv.conf").output
    assert "nameserver 10.96.0.10" in resolv.splitlines()


@pytest.mark.cites("https://kubernetes.io/docs/reference/command-line-tools-reference/kube-proxy/")
def test_kube_proxy_pods_use_their_node_ip(cluster):
    """kubeadm's kube-proxy DaemonSet sets hostNetwork: true, so each kube-proxy pod's IP is its node's IP."""
    c = cluster
    nodes = {n["metadata"]["name"]: n["status"]["addresses"][0]["address"] for n in get(c, "nodes")}
    proxies = get(c, "pods -n kube-system -l k8s-app=kube-proxy")
    assert len(proxies) == len(nodes)
    for p in proxies:
        assert p["spec"]["hostNetwork"] is True
        assert p["status"]["podIP"] == nodes[p["spec"]["nodeName"]] == p["status"]["hostIP"]


@pytest.mark.cites("https://kubernetes.io/docs/concepts/containers/images/")
def test_an_unknown_image_pull_policy_is_refused(cluster):
    """imagePullPolicy must be Always, IfNotPresent or Never: the API server refuses `Sometimes`."""
    c = cluster
    result = c.run(
        "kubectl apply -f -",
        stdin="""
apiVersion: v1
kind: Pod
metadata:
  name: private-image-test-1
spec:
  containers:
    - name: uses-private-image
      image: nginx:1.27
      imagePullPolicy: Sometimes
      command: [ "echo", "SUCCESS" ]
""",
    )
    assert not result.ok
    assert result.output == (
        'The Pod "private-image-test-1" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: '
        '"Sometimes": supported values: "Always", "IfNotPresent", "Never"'
    )
    assert c.run("kubectl get pod private-image-test-1").output.startswith("Error from server (NotFound)")
