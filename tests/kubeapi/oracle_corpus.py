"""The oracle corpus: cluster states built with console commands, and the commands both faces must print alike.

Each `State` is modelled on a kubernetes.io page (its `url`), built only with console commands (so the browser
console could have built it), with verbatim manifests from `tests/engine/world/examples.py` where the page
has one. `commands` are kubectl arguments (without the word `kubectl`) run through the console and the real
kubectl v1.37 against the same frozen cluster; `tests/kubeapi/test_console_oracle.py` compares the outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.engine.world.examples import (
    HELLO_CRONJOB,
    MINIMAL_INGRESS,
    MYAPP_POD,
    NGINX_DEPLOYMENT,
    PHP_APACHE,
    PI_JOB,
    STRING_DATA_SECRET,
    WEB_STATEFULSET,
)

Step = tuple[str, str | None] | tuple[str, str | None, float]


@dataclass(frozen=True)
class State:
    """One cluster state: `steps` are (console command, stdin, seconds to advance after it)."""

    name: str
    url: str
    steps: tuple[Step, ...]
    commands: tuple[str, ...]
    settle: float = 30.0
    notes: dict[str, str] = field(default_factory=dict)


# The kinds `get` and `describe` walk through in every state (short names as the lesson types them).
GET_FORMATS = ("", " -o wide", " -o yaml", " -o json", " -o name", " --show-labels")


# https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/ (content/en/examples/controllers/daemonset.yaml,
# without the hostPath volumes and resources, which the lesson's engine does not need for `get`/`describe`)
FLUENTD_DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-elasticsearch
  namespace: kube-system
  labels:
    k8s-app: fluentd-logging
spec:
  selector:
    matchLabels:
      name: fluentd-elasticsearch
  template:
    metadata:
      labels:
        name: fluentd-elasticsearch
    spec:
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: quay.io/fluentd_elasticsearch/fluentd:v2.5.2
      terminationGracePeriodSeconds: 30
"""

# https://kubernetes.io/docs/concepts/policy/resource-quotas/ and
# https://kubernetes.io/docs/concepts/policy/limit-range/ (content/en/examples/admin/resource/memory-defaults.yaml)
QUOTA_AND_LIMITS = """\
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute-resources
spec:
  hard:
    requests.cpu: "1"
    requests.memory: 1Gi
    limits.cpu: "2"
    limits.memory: 2Gi
---
apiVersion: v1
kind: LimitRange
metadata:
  name: mem-limit-range
spec:
  limits:
  - default:
      memory: 512Mi
    defaultRequest:
      memory: 256Mi
    type: Container
"""

# https://kubernetes.io/docs/concepts/storage/persistent-volumes/ (the claim of "PersistentVolumeClaims")
MYCLAIM_PVC = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: myclaim
spec:
  accessModes:
    - ReadWriteOnce
  volumeMode: Filesystem
  resources:
    requests:
      storage: 8Gi
"""


def _gets(kinds: tuple[str, ...], extra: tuple[str, ...] = GET_FORMATS) -> tuple[str, ...]:
    return tuple(f"get {k}{fmt}" for k in kinds for fmt in extra)


STATES: tuple[State, ...] = (
    State(
        name="rollout",
        url="https://kubernetes.io/docs/concepts/workloads/controllers/deployment/",
        steps=(
            ("kubectl apply -f -", NGINX_DEPLOYMENT, 30),
            ("kubectl set image deployment/nginx-deployment nginx=nginx:1.16.1", None, 60),
            (
                "kubectl annotate deployment/nginx-deployment kubernetes.io/change-cause="
                '"image updated to 1.16.1"',
                None,
                0,
            ),
            ("kubectl set image deployment/nginx-deployment nginx=nginx:1.21", None, 60),
            ("kubectl expose deployment nginx-deployment --port=80", None, 10),
        ),
        commands=(
            *_gets(("deploy", "rs", "pods", "svc", "endpoints")),
            "get deploy nginx-deployment -o custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[0].image",
            "get pods -o jsonpath={.items[*].spec.containers[0].image}",
            "get rs -l app=nginx",
            "get pods -l app=nginx,pod-template-hash!=x -o name",
            "get all",
            "get all -A",
            "get pods -A -o wide",
            "describe deployment nginx-deployment",
            "describe rs",
            "describe pods",
            "describe svc nginx-deployment",
            "describe endpoints nginx-deployment",
            "rollout status deployment/nginx-deployment",
            "rollout history deployment/nginx-deployment",
            "rollout history deployment/nginx-deployment --revision=2",
            "rollout history deployment/nginx-deployment --revision=3",
            "get events",
            "get events --sort-by=.metadata.creationTimestamp",
            "get events --field-selector type=Normal,involvedObject.kind=Deployment",
            "get events --field-selector reason=ScalingReplicaSet -o wide",
            "get events -A",
            "get deploy nginx-deployment -o yaml",
            "get deploy nginx-deployment -o json",
            'get rs -o jsonpath=\'{range .items[*]}{.metadata.name}{"\\t"}{.spec.replicas}{"\\n"}{end}\'',
            "get pods --sort-by=.metadata.name",
            "get pods --no-headers",
            "get pods -L app",
            "get pods -l 'app in (nginx)'",
            "get deploy,rs,svc",
            "get endpointslices",
            "describe endpointslices",
            "rollout history deployment/nginx-deployment --revision=1",
            "get pod nosuch",
            "get deploy nosuch -o yaml",
            "describe deploy nosuch",
            "logs nosuch",
            "logs deploy/nosuch",
            "rollout history deployment/nginx-deployment --revision=9",
            "rollout status deployment/nosuch",
            "get events -o json",
            "get events -o yaml",
            "get events --sort-by=.lastTimestamp",
            "get ev --field-selector involvedObject.name=nginx-deployment",
            "describe node worker-1",
            "get pods --field-selector spec.nodeName=worker-1",
            "get pods -o wide --sort-by=.spec.nodeName",
            "rollout status deployment/nginx-deployment --watch=false",
            "get all -o wide",
            "get pods -o yaml",
            "get rs -o wide --show-labels",
            "get svc -A -o wide",
            "describe svc",
            "logs deploy/nginx-deployment",
            "logs deploy/nginx-deployment --timestamps",
            "logs deploy/nginx-deployment --since=1h",
            "logs -l app=nginx",
            "describe all",
        ),
    ),
    State(
        name="workloads",
        url="https://kubernetes.io/docs/tutorials/stateful-application/basic-stateful-set/",
        steps=(
            ("kubectl apply -f -", WEB_STATEFULSET, 60),
            ("kubectl apply -f -", PI_JOB, 0),
            ("kubectl apply -f -", HELLO_CRONJOB, 0),
            ("kubectl apply -f -", FLUENTD_DAEMONSET, 90),
        ),
        commands=(
            *_gets(("sts", "ds -n kube-system", "jobs", "cronjobs", "pvc", "pv")),
            "get pods -o wide",
            "get pods -l app=nginx --show-labels",
            "get jobs -o custom-columns=NAME:.metadata.name,DONE:.status.succeeded",
            "describe sts web",
            "describe ds -n kube-system fluentd-elasticsearch",
            "describe job pi",
            "describe cronjob hello",
            "describe pvc",
            "describe pv",
            "describe svc nginx",
            "rollout status statefulset/web",
            "rollout history statefulset/web",
            "rollout status daemonset/fluentd-elasticsearch -n kube-system",
            "rollout history daemonset/fluentd-elasticsearch -n kube-system",
            "logs job/pi --tail=3",
            "get events --field-selector involvedObject.kind=StatefulSet",
            "get controllerrevisions",
            "get controllerrevisions -o yaml",
            "get jobs -o wide",
            "get cronjobs -o wide",
            "describe jobs",
            "get pods -l job-name=pi",
            "get sts web -o yaml",
            "get ds -A",
            "describe pods -l app=nginx",
            "get events -A -o wide",
            "get cj hello -o json",
            "logs web-0",
            "get pods -n kube-system -l name=fluentd-elasticsearch -o wide",
        ),
    ),
    State(
        name="hpa",
        url="https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale-walkthrough/",
        steps=(
            ("kubectl apply -f -", PHP_APACHE, 30),
            ("kubectl autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10", None, 60),
        ),
        commands=(
            *_gets(("hpa",)),
            "describe hpa php-apache",
            "top pods",
            "top pods -A",
            "top nodes",
            "top pod --containers",
            "get deploy php-apache -o jsonpath={.spec.replicas}",
            "top nodes --sort-by=memory",
            "top pods --sort-by=cpu",
            "top pod nosuch",
            "describe deploy php-apache",
            "get hpa -o wide",
            "top pod --containers -A",
            "top node worker-1",
            "describe node worker-1",
        ),
    ),
    State(
        name="crash",
        url="https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/",
        steps=(
            ("kubectl apply -f -", MYAPP_POD, 0),
            ("kubectl create deployment crashy --image=busybox", None, 0),
            ('kubectl run crasher --image=busybox -- sh -c "echo starting up; exit 1"', None, 40),
        ),
        commands=(
            *_gets(("pods",)),
            "describe pod myapp-pod",
            "describe pods -l app=crashy",
            "logs myapp-pod",
            "logs myapp-pod -c myapp-container",
            "logs myapp-pod -c init-myservice",
            "logs deploy/crashy",
            "logs deploy/crashy -p",
            "logs deploy/crashy --tail=1",
            "logs crasher",
            "logs crasher -p",
            "logs crasher --tail=1 -c crasher",
            "describe pod crasher",
            "logs crasher --tail=0",
            "logs crasher -c nope",
            "logs myapp-pod -c nope",
            "get pods -o custom-columns=NAME:.metadata.name,RESTARTS:.status.containerStatuses[0].restartCount",
            "get pods --field-selector status.phase=Running",
            "describe pods",
            "get events --field-selector reason=BackOff",
            "get events -o wide",
            "logs crasher -p --tail=1",
            "logs crasher --timestamps",
            "logs crasher -p --timestamps --tail=1",
            "logs crasher --since=10s",
            "logs crasher --since=xx",
            "logs myapp-pod --all-containers",
            "get events --field-selector involvedObject.name=crasher",
        ),
    ),
    State(
        name="config",
        url="https://kubernetes.io/docs/concepts/configuration/secret/",
        steps=(
            ("kubectl apply -f -", STRING_DATA_SECRET, 0),
            (
                "kubectl create configmap game-config --from-literal=lives=3 --from-literal=level=easy",
                None,
                0,
            ),
            ("kubectl apply -f -", QUOTA_AND_LIMITS, 0),
            ("kubectl apply -f -", MYCLAIM_PVC, 0),
            ("kubectl apply -f -", MINIMAL_INGRESS, 0),
            ("kubectl cordon worker-2", None, 0),
            ("kubectl taint nodes worker-3 dedicated=special-user:NoSchedule", None, 10),
        ),
        commands=(
            *_gets(("secrets", "cm", "quota", "limits", "pvc", "ingress", "nodes", "ns", "sa")),
            "get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints",
            "get nodes -o jsonpath={.items[*].spec.unschedulable}",
            "describe secret mysecret",
            "describe cm game-config",
            "describe quota",
            "describe limits",
            "describe pvc myclaim",
            "describe ingress minimal-ingress",
            "describe node worker-2",
            "describe node worker-3",
            "describe ns default",
            "api-resources",
            "api-resources --namespaced=false",
            "api-resources --namespaced=true",
            "api-resources --api-group=apps",
            "api-resources --namespaced=x",
            "get sc",
            "describe sc",
            "describe sa default",
            "get sa -A",
            "describe nodes",
            "get leases -n kube-node-lease",
            "describe lease worker-1 -n kube-node-lease",
            "get events -A --field-selector involvedObject.kind=Node",
            "get secret mysecret -o jsonpath={.data.config\\.yaml}",
            "get nodes -l kubernetes.io/hostname=worker-1",
            "get nodes --show-labels",
            "version",
            "version --client",
            "get cs",
            "get foo",
            "get pods -o bad",
            "explain pods",
            "describe node worker-2",
            "get nodes -o yaml",
            "get ing -o wide",
            "get secret mysecret -o yaml",
            "get cm game-config -o json",
            "get limits -o yaml",
            "get all -A",
            # the simulator's object limits read as a ResourceQuota in every namespace, beside the lesson's own
            # quota (https://kubernetes.io/docs/concepts/policy/resource-quotas/, "Viewing and Setting Quotas")
            "get quota -A",
            "get resourcequota simulator-limits -o yaml",
            "get quota simulator-limits -n kube-system -o json",
            "describe quota simulator-limits",
            "describe ns kube-system",
            "get quota simulator-limits -n nowhere",
        ),
    ),
)


# Two ConfigMaps of default for `delete -f -`, the second never created (`error when deleting "STDIN"`).
CONFIGMAPS_A2_AND_GONE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: a2
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: gone
"""

# A quota that takes the simulator's reserved name.
SIMULATOR_LIMITS_QUOTA = """\
apiVersion: v1
kind: ResourceQuota
metadata:
  name: simulator-limits
spec:
  hard:
    pods: "5"
"""


# Write commands in lesson order (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/ and
# https://kubernetes.io/docs/reference/kubectl/quick-reference/): each runs once in the console of one cluster
# and once through the real kubectl on a twin cluster (same seed, same history), then both clocks advance.
WRITES: tuple[tuple[str, str | None], ...] = (
    ("apply -f -", NGINX_DEPLOYMENT),
    ("apply -f -", NGINX_DEPLOYMENT),
    ("create deployment web --image=nginx --replicas=2", None),
    ("create deployment web --image=nginx", None),
    ("scale deployment web --replicas=3", None),
    ("scale deployment nosuch --replicas=3", None),
    ("set image deployment/web nginx=nginx:1.25", None),
    ('annotate deployment web kubernetes.io/change-cause="bump to 1.25"', None),
    ("label deployment web tier=frontend", None),
    ("label deployment web tier=backend", None),
    ("label deployment web tier=backend --overwrite", None),
    ("label deployment web tier-", None),
    ("expose deployment web --port=80 --target-port=80", None),
    ("autoscale deployment web --min=2 --max=5 --cpu-percent=80", None),
    ("rollout pause deployment/web", None),
    ("rollout pause deployment/web", None),
    ("rollout resume deployment/web", None),
    ("rollout resume deployment/web", None),
    ("set image deployment/web nginx=nginx:1.26 --record", None),
    ("apply -f -", NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: 3\n  replica: 2")),
    ("create -f -", NGINX_DEPLOYMENT),
    ("expose deployment web --port=80", None),
    ("scale deployment web --replicas=-1", None),
    ("rollout undo deployment/web --to-revision=99", None),
    ("label pods --all tier=web", None),
    ("create deployment Bad_Name --image=nginx", None),
    ("delete deployment nosuch", None),
    ("rollout restart deployment/web", None),
    ("rollout undo deployment/web", None),
    ("rollout undo deployment/web --to-revision=1", None),
    ("create configmap cfg --from-literal=a=b", None),
    ("create secret generic creds --from-literal=password=s3cr3t", None),
    ("create job once --image=busybox", None),
    ("run one --image=nginx", None),
    ("run one --image=nginx", None),
    ("cordon worker-1", None),
    ("cordon worker-1", None),
    ("uncordon worker-1", None),
    ("taint nodes worker-1 dedicated=special-user:NoSchedule", None),
    ("taint nodes worker-1 dedicated:NoSchedule-", None),
    ("delete pod one --wait=false", None),
    ("delete pod nosuch", None),
    ("delete svc web", None),
    ("delete hpa web", None),
    ("delete deployment web", None),
    ("delete -f -", NGINX_DEPLOYMENT),
    ("delete configmap cfg secret/creds", None),
    ("delete job once", None),
    # delete by selector, --all and -f (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_delete/)
    ("create namespace team", None),
    ("create configmap a1 --from-literal=k=v", None),
    ("create configmap a2 --from-literal=k=v", None),
    ("create configmap b1 -n team --from-literal=k=v", None),
    ("label configmap a1 tier=cache", None),
    ("label configmap b1 -n team tier=cache", None),
    ("delete configmap -l tier=none", None),
    ("delete configmap a1 --all", None),
    ("delete configmap --all -l tier=cache", None),
    ("delete configmap -l tier=cache -A", None),
    ("delete configmap nosuch --ignore-not-found", None),
    ("delete -f -", CONFIGMAPS_A2_AND_GONE),
    ("delete -f -", CONFIGMAPS_A2_AND_GONE),
    ("create configmap a3 --from-literal=k=v", None),
    ("create configmap a4 --from-literal=k=v", None),
    ("delete configmap,secret --all", None),
    ("delete configmap --all", None),
    ("delete pods --all --wait=false", None),
    # the simulator's object limits read as a ResourceQuota and refuse writes (engine object_quota.py)
    ("delete quota simulator-limits", None),
    ("delete quota --all -n team", None),
    ("label quota simulator-limits team=a", None),
    ("create quota simulator-limits --hard=pods=1 -n team", None),
    ("create -f -", SIMULATOR_LIMITS_QUOTA),
)
