"""Server-side printing: the `meta.k8s.io` Table kubectl asks for on every human-readable `get` (§A4).

The cells come from the console's own printers (`visualizer.engine.kubectl.printers.rows_for` and the
modules it calls), always in their wide form, as the real server generates them (kubernetes
pkg/printers/storage/storage.go `GenerateOptions{Wide: true}`); kubectl hides the priority-1 columns unless
`-o wide`, so the console and the real kubectl print the same table. Column names, types, formats and
priorities are those of kubernetes pkg/printers/internalversion/printers.go `AddHandlers`; descriptions are
the literal ones from that file, or a short form of the API field documentation it points to. A kind with no
printer gets the default table `Name`, `Created At` (apiserver pkg/registry/rest/table.go).

Each row's `object` follows `?includeObject=` (apiserver pkg/endpoints/handlers/response.go `asTable`):
`Metadata` (the default) a `PartialObjectMetadata`, `Object` the whole object, `None` nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from visualizer.engine.kubectl import printers

from . import status
from .http import ApiResponse

NAME_DOC = (
    "Name must be unique within a namespace. Is required when creating resources, although some resources may "
    "allow a client to request the generation of an appropriate name automatically. Name is primarily "
    "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
CREATED_DOC = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this "
    "value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for "
    "lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata"
)
_CONTAINERS = ("Containers", "string", 1, "Names of each container in the template.")
_IMAGES = ("Images", "string", 1, "Images referenced by each container in the template.")
_SELECTOR = ("Selector", "string", 1, "A label query over pods that should match the replica count.")
_AGE = ("Age", "string", 0, CREATED_DOC)

# kind → columns after `Name`: (name, type, priority, description), printers.go order.
COLUMNS: dict[str, list[tuple[str, str, int, str]]] = {
    "Pod": [
        ("Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic."),
        ("Status", "string", 0, "The aggregate status of the containers in this pod."),
        (
            "Restarts",
            "string",
            0,
            "The number of times the containers in this pod have been restarted and when the last container "
            "in this pod has restarted.",
        ),
        _AGE,
        ("IP", "string", 1, "podIP address allocated to the pod. Routable at least within the cluster."),
        ("Node", "string", 1, "NodeName indicates in which node this pod is scheduled."),
        (
            "Nominated Node",
            "string",
            1,
            "nominatedNodeName is set when this pod preempts other pods on the node.",
        ),
        (
            "Readiness Gates",
            "string",
            1,
            "If specified, all readiness gates will be evaluated for pod readiness.",
        ),
    ],
    "ReplicationController": [
        ("Desired", "integer", 0, "Replicas is the number of desired replicas."),
        ("Current", "integer", 0, "Replicas is the most recently observed number of replicas."),
        ("Ready", "integer", 0, "The number of ready replicas for this replication controller."),
        _AGE,
        _CONTAINERS,
        _IMAGES,
        _SELECTOR,
    ],
    "ReplicaSet": [
        ("Desired", "integer", 0, "Replicas is the number of desired replicas."),
        ("Current", "integer", 0, "Replicas is the most recently observed number of replicas."),
        ("Ready", "integer", 0, "The number of ready replicas for this replica set."),
        _AGE,
        _CONTAINERS,
        _IMAGES,
        _SELECTOR,
    ],
    "DaemonSet": [
        ("Desired", "integer", 0, "The total number of nodes that should be running the daemon pod."),
        ("Current", "integer", 0, "The number of nodes that are running at least 1 daemon pod."),
        (
            "Ready",
            "integer",
            0,
            "The number of nodes that should be running the daemon pod and have one ready.",
        ),
        ("Up-to-date", "integer", 0, "The total number of nodes that are running updated daemon pod."),
        (
            "Available",
            "integer",
            0,
            "The number of nodes that should be running the daemon pod and have one available.",
        ),
        (
            "Node Selector",
            "string",
            0,
            "NodeSelector is a selector which must be true for the pod to fit on a node.",
        ),
        _AGE,
        _CONTAINERS,
        _IMAGES,
        _SELECTOR,
    ],
    "Job": [
        ("Status", "string", 0, "Status of the job."),
        ("Completions", "string", 0, "The number of pods which reached phase Succeeded."),
        ("Duration", "string", 0, "Time required to complete the job."),
        _AGE,
        _CONTAINERS,
        _IMAGES,
        _SELECTOR,
    ],
    "CronJob": [
        ("Schedule", "string", 0, "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        ("Timezone", "string", 0, "The time zone name for the given schedule."),
        ("Suspend", "boolean", 0, "This flag tells the controller to suspend subsequent executions."),
        ("Active", "integer", 0, "A list of pointers to currently running jobs."),
        (
            "Last Schedule",
            "string",
            0,
            "Information when was the last time the job was successfully scheduled.",
        ),
        _AGE,
        _CONTAINERS,
        _IMAGES,
        _SELECTOR,
    ],
    "Service": [
        ("Type", "string", 0, "type determines how the Service is exposed."),
        ("Cluster-IP", "string", 0, "clusterIP is the IP address of the service."),
        (
            "External-IP",
            "string",
            0,
            "externalIPs is a list of IP addresses for which nodes will also accept traffic.",
        ),
        ("Port(s)", "string", 0, "The list of ports that are exposed by this service."),
        _AGE,
        (
            "Selector",
            "string",
            1,
            "Route service traffic to pods with label keys and values matching this selector.",
        ),
    ],
    "Ingress": [
        (
            "Class",
            "string",
            0,
            "The name of the IngressClass resource that should be used for additional configuration",
        ),
        ("Hosts", "string", 0, "Hosts that incoming requests are matched against before the ingress rule"),
        ("Address", "string", 0, "Address is a list containing ingress points for the load-balancer"),
        ("Ports", "string", 0, "Ports of TLS configurations that open"),
        _AGE,
    ],
    "IngressClass": [
        ("Controller", "string", 0, "Controller that is responsible for handling this class"),
        ("Parameters", "string", 0, "A reference to a resource with additional parameters"),
        _AGE,
    ],
    "StatefulSet": [
        ("Ready", "string", 0, "Number of the pod with ready state"),
        _AGE,
        _CONTAINERS,
        _IMAGES,
    ],
    "Endpoints": [("Endpoints", "string", 0, "The set of all endpoints is the union of all subsets."), _AGE],
    "Node": [
        ("Status", "string", 0, "The status of the node"),
        ("Roles", "string", 0, "The roles of the node"),
        _AGE,
        ("Version", "string", 0, "Kubelet Version reported by the node."),
        ("Internal-IP", "string", 1, "List of addresses reachable to the node."),
        ("External-IP", "string", 1, "List of addresses reachable to the node."),
        (
            "OS-Image",
            "string",
            1,
            "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
        ),
        ("Kernel-Version", "string", 1, "Kernel Version reported by the node from 'uname -r'."),
        (
            "Container-Runtime",
            "string",
            1,
            "ContainerRuntime Version reported by the node through runtime remote API.",
        ),
    ],
    "Namespace": [("Status", "string", 0, "The status of the namespace"), _AGE],
    "Secret": [
        ("Type", "string", 0, "Used to facilitate programmatic handling of secret data."),
        ("Data", "string", 0, "Data contains the secret data."),
        _AGE,
    ],
    "PersistentVolume": [
        (
            "Capacity",
            "string",
            0,
            "capacity is the description of the persistent volume's resources and capacity.",
        ),
        ("Access Modes", "string", 0, "accessModes contains all ways the volume can be mounted."),
        (
            "Reclaim Policy",
            "string",
            0,
            "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.",
        ),
        (
            "Status",
            "string",
            0,
            "phase indicates if a volume is available, bound to a claim, or released by a claim.",
        ),
        (
            "Claim",
            "string",
            0,
            "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.",
        ),
        ("StorageClass", "string", 0, "StorageClass of the pv"),
        ("VolumeAttributesClass", "string", 0, "VolumeAttributesClass of the pv"),
        ("Reason", "string", 0, "reason is a brief CamelCase string that describes any failure."),
        _AGE,
        (
            "VolumeMode",
            "string",
            1,
            "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.",
        ),
    ],
    "PersistentVolumeClaim": [
        ("Status", "string", 0, "phase represents the current phase of PersistentVolumeClaim."),
        (
            "Volume",
            "string",
            0,
            "volumeName is the binding reference to the PersistentVolume backing this claim.",
        ),
        ("Capacity", "string", 0, "capacity represents the actual resources of the underlying volume."),
        (
            "Access Modes",
            "string",
            0,
            "accessModes contains the actual access modes the volume backing the PVC has.",
        ),
        ("StorageClass", "string", 0, "StorageClass of the pvc"),
        ("VolumeAttributesClass", "string", 0, "VolumeAttributesClass of the pvc"),
        _AGE,
        ("VolumeMode", "string", 1, "volumeMode defines what type of volume is required by the claim."),
    ],
    "Deployment": [
        ("Ready", "string", 0, "Number of the pod with ready state"),
        (
            "Up-to-date",
            "string",
            0,
            "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
        ),
        (
            "Available",
            "string",
            0,
            "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
        ),
        _AGE,
        _CONTAINERS,
        _IMAGES,
        ("Selector", "string", 1, "Label selector for pods."),
    ],
    "HorizontalPodAutoscaler": [
        (
            "Reference",
            "string",
            0,
            "reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.",
        ),
        (
            "Targets",
            "string",
            0,
            "metrics contains the specifications for which to use to calculate the desired replica count.",
        ),
        (
            "MinPods",
            "string",
            0,
            "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.",
        ),
        (
            "MaxPods",
            "string",
            0,
            "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.",
        ),
        (
            "Replicas",
            "string",
            0,
            "currentReplicas is current number of replicas of pods managed by this autoscaler.",
        ),
        _AGE,
    ],
    "ConfigMap": [("Data", "string", 0, "Data contains the configuration data."), _AGE],
    "StorageClass": [
        ("Provisioner", "string", 0, "provisioner indicates the type of the provisioner."),
        (
            "ReclaimPolicy",
            "string",
            0,
            "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.",
        ),
        (
            "VolumeBindingMode",
            "string",
            0,
            "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.",
        ),
        (
            "AllowVolumeExpansion",
            "string",
            0,
            "allowVolumeExpansion shows whether the storage class allow volume expand.",
        ),
        _AGE,
    ],
    "ControllerRevision": [
        ("Controller", "string", 0, "Controller of the object"),
        ("Revision", "string", 0, "Revision indicates the revision of the state represented by Data."),
        _AGE,
    ],
    "ResourceQuota": [
        (
            "Request",
            "string",
            0,
            "Request represents a minimum amount of cpu/memory that a container may consume.",
        ),
        (
            "Limit",
            "string",
            0,
            "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
        ),
        _AGE,
    ],
    "Lease": [
        ("Holder", "string", 0, "holderIdentity contains the identity of the holder of a current lease."),
        _AGE,
    ],
}
DEFAULT_COLUMNS = [("Created At", "date", 0, CREATED_DOC)]  # rest/table.go `defaultTableConvertor`


def column_definitions(kind: str) -> list[dict]:
    """Returns the Table `columnDefinitions` of a kind (the default `Name`, `Created At` without a printer)."""
    cols = [{"name": "Name", "type": "string", "format": "name", "description": NAME_DOC, "priority": 0}]
    for name, type_, priority, description in COLUMNS.get(kind, DEFAULT_COLUMNS):
        cols.append(
            {"name": name, "type": type_, "format": "", "description": description, "priority": priority}
        )
    return cols


# ------------------------------------------------------------------------------------------ negotiation
@dataclass(frozen=True)
class Wanted:
    """What the client's Accept asks for: `as_` is "" (the object or list itself), "Table",
    "PartialObjectMetadata" or "PartialObjectMetadataList"; `version` the meta.k8s.io version."""

    as_: str = ""
    version: str = "v1"


_JSON_TYPES = ("application/json", "application/*", "*/*", "application/vnd.kubernetes.protobuf")


def negotiate(req) -> Wanted | None:
    """Returns the first acceptable media range of the `Accept` header, or None when nothing is (→ 406).

    `application/json;as=Table;v=v1;g=meta.k8s.io` asks for a Table (v1 or v1beta1); a plain
    `application/json` (or protobuf, which is answered in JSON as kubectl accepts, §A3) for the object.
    """
    accept = req.accept.strip()
    if not accept:
        return Wanted()
    for media in accept.split(","):
        parts = [p.strip() for p in media.split(";")]
        mtype = parts[0].lower()
        params = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
        as_ = params.get("as", "")
        if as_:
            if mtype != "application/json" or params.get("g") != "meta.k8s.io":
                continue
            if as_ in ("Table", "PartialObjectMetadata", "PartialObjectMetadataList") and params.get("v") in (
                "v1",
                "v1beta1",
            ):
                return Wanted(as_, params["v"])
            continue
        if mtype in _JSON_TYPES:
            return Wanted()
    return None


def not_acceptable() -> ApiResponse:
    """406 as the API server answers an Accept it cannot serve (apiserver handlers/negotiation)."""
    return status.failure(
        406,
        "NotAcceptable",
        "only the following media types are accepted: application/json, application/yaml, "
        "application/vnd.kubernetes.protobuf",
    )


# ------------------------------------------------------------------------------------------ building
def partial(obj: dict, version: str = "v1") -> dict:
    """Returns the `PartialObjectMetadata` of an object (its metadata only)."""
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": f"meta.k8s.io/{version}",
        "metadata": obj["metadata"],
    }


def row_object(obj: dict, include: str, version: str) -> dict | None:
    """Returns a row's `object` for `includeObject` (`Metadata` default, `Object`, `None`)."""
    if include == "None":
        return None
    if include == "Object":
        return obj
    return partial(obj, version)


_POD_DONE = {
    "Succeeded": {
        "type": "Completed",
        "status": "True",
        "reason": "Succeeded",
        "message": "The pod has completed successfully.",
    },
    "Failed": {"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."},
}


def engine_cells(cluster, kind: str, objs: list[dict]) -> tuple[list[dict], list[list]]:
    """Returns (columnDefinitions, cells per object) for engine objects, the cells from the console's printers.

    The console's wide headers decide which definition each cell belongs to; a header with no printers.go
    definition (none today; tests/kubeapi/test_tables.py checks every served kind) is named after itself.
    """
    now = cluster.clock.now
    headers, rows = printers.rows_for(kind, objs, now, True, False, cluster)
    if kind not in COLUMNS:  # no printer: the default table, whatever the console prints
        return column_definitions(kind), [
            [o["metadata"]["name"], o["metadata"].get("creationTimestamp", "")] for o in objs
        ]
    defs = {d["name"].upper(): d for d in column_definitions(kind)}
    base = set(printers.rows_for(kind, [], now, False, False, cluster)[0])
    columns = []
    for h in headers:
        d = defs.get(h)
        if d is None:
            d = {"name": h.title(), "type": "string", "format": "", "description": "", "priority": 0}
            d["priority"] = 0 if h in base else 1
        columns.append(d)
    return columns, rows


def table(
    columns: list[dict],
    items: list[tuple[dict, list]],
    resource_version: str,
    req,
    version: str = "v1",
    conditions=None,
) -> dict:
    """Returns the Table for (object, cells) pairs.

    `conditions(obj)` may give a row's `conditions` (pods that have finished are `Completed`).
    """
    include = req.param("includeObject") or "Metadata"
    rows = []
    for obj, cells in items:
        row: dict = {"cells": cells}
        cond = conditions(obj) if conditions else None
        if cond:
            row["conditions"] = cond
        ro = row_object(obj, include, version)
        if ro is not None:
            row["object"] = ro
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": f"meta.k8s.io/{version}",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": columns,
        "rows": rows,
    }


def pod_conditions(obj: dict) -> list[dict] | None:
    """printers.go `printPod`: a Succeeded or Failed pod's row is marked `Completed`."""
    if obj.get("kind") != "Pod":
        return None
    done = _POD_DONE.get((obj.get("status") or {}).get("phase", ""))
    return [dict(done)] if done else None


def engine_table(cluster, req, kind: str, objs: list[dict], resource_version: str, version: str) -> dict:
    """Returns the Table of engine objects of one kind, cells printed by the console's printers."""
    columns, cells = engine_cells(cluster, kind, objs)
    return table(columns, list(zip(objs, cells, strict=True)), resource_version, req, version, pod_conditions)
