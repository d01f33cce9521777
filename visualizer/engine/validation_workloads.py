"""Schemas, defaults and validation of the workload kinds: DaemonSet, StatefulSet, Job, CronJob,
ReplicationController and ControllerRevision.

Registered into `validation.py` (`_SCHEMAS`, `_VALIDATORS`, `_DEFAULTERS`) by one line each. The defaults are
those of kubernetes `pkg/apis/apps/v1/defaults.go`, `pkg/apis/batch/v1/defaults.go` and
`pkg/apis/core/v1/defaults.go` (ReplicationController); the error texts are those of
`pkg/apis/apps/validation`, `pkg/apis/batch/validation` and `pkg/apis/core/validation`. Real fields that the
simulator cannot honour (Indexed Jobs, pod failure policies, …) are refused with a `Forbidden` cause instead
of being accepted and ignored.
"""

from __future__ import annotations

import re

from . import validation as v

_ANY = None
_PVC_SPEC = {
    "accessModes": "strlist",
    "resources": {"requests": "qtymap", "limits": "qtymap"},
    "storageClassName": "str",
    "volumeName": "str",
    "volumeMode": "str",
    "selector": _ANY,
    "dataSource": _ANY,
    "dataSourceRef": _ANY,
}
_CLAIM_TEMPLATE = {
    "apiVersion": "str",
    "kind": "str",
    "metadata": v._META,
    "spec": _PVC_SPEC,
    "status": _ANY,
}
_JOB_SPEC = {
    "parallelism": "int",
    "completions": "int",
    "activeDeadlineSeconds": "int",
    "backoffLimit": "int",
    "selector": v._SELECTOR,
    "manualSelector": "bool",
    "template": v._TEMPLATE,
    "ttlSecondsAfterFinished": "int",
    "completionMode": "str",
    "suspend": "bool",
    "podFailurePolicy": _ANY,
    "backoffLimitPerIndex": _ANY,
    "maxFailedIndexes": _ANY,
    "podReplacementPolicy": "str",
    "successPolicy": _ANY,
    "managedBy": _ANY,
}
SCHEMAS = {
    "DaemonSet": {
        "spec": {
            "selector": v._SELECTOR,
            "template": v._TEMPLATE,
            "updateStrategy": {
                "type": "str",
                "rollingUpdate": {"maxUnavailable": "intstr", "maxSurge": "intstr"},
            },
            "minReadySeconds": "int",
            "revisionHistoryLimit": "int",
        },
        "status": _ANY,
    },
    "StatefulSet": {
        "spec": {
            "replicas": "int",
            "selector": v._SELECTOR,
            "template": v._TEMPLATE,
            "serviceName": "str",
            "volumeClaimTemplates": [_CLAIM_TEMPLATE],
            "podManagementPolicy": "str",
            "updateStrategy": {
                "type": "str",
                "rollingUpdate": {"partition": "int", "maxUnavailable": "intstr"},
            },
            "revisionHistoryLimit": "int",
            "minReadySeconds": "int",
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "str", "whenScaled": "str"},
            "ordinals": {"start": "int"},
        },
        "status": _ANY,
    },
    "Job": {"spec": _JOB_SPEC, "status": _ANY},
    "CronJob": {
        "spec": {
            "schedule": "str",
            "timeZone": "str",
            "startingDeadlineSeconds": "int",
            "concurrencyPolicy": "str",
            "suspend": "bool",
            "jobTemplate": {"metadata": v._META, "spec": _JOB_SPEC},
            "successfulJobsHistoryLimit": "int",
            "failedJobsHistoryLimit": "int",
        },
        "status": _ANY,
    },
    "ReplicationController": {
        "spec": {"replicas": "int", "selector": "strmap", "template": v._TEMPLATE, "minReadySeconds": "int"},
        "status": _ANY,
    },
    "ControllerRevision": {"data": _ANY, "revision": "int"},
}

# Job fields of the real API that the simulator does not model: refused, never silently dropped.
_JOB_UNSUPPORTED = (
    "podFailurePolicy",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
    "successPolicy",
    "managedBy",
)


# ---------------------------------------------------------------------------------------------- defaults
def _default_template(spec: dict) -> None:
    template = spec.get("template")
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        v.default_pod_spec(template["spec"])


def _default_daemonset(obj: dict) -> None:
    """SetDefaults_DaemonSet: RollingUpdate with maxUnavailable 1 and maxSurge 0, history 10."""
    spec = obj["spec"]
    strategy = spec.setdefault("updateStrategy", {})
    if isinstance(strategy, dict):
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            ru = strategy.setdefault("rollingUpdate", {})
            if isinstance(ru, dict):
                ru.setdefault("maxUnavailable", 1)
                ru.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    _default_template(spec)


def _default_statefulset(obj: dict) -> None:
    """SetDefaults_StatefulSet: 1 replica, OrderedReady, RollingUpdate partition 0, Retain/Retain."""
    spec = obj["spec"]
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {})
    if isinstance(strategy, dict):
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            ru = strategy.setdefault("rollingUpdate", {})
            if isinstance(ru, dict):
                ru.setdefault("partition", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"})
    for tpl in spec.get("volumeClaimTemplates") or []:
        if isinstance(tpl, dict):
            tpl.setdefault("apiVersion", "v1")
            tpl.setdefault("kind", "PersistentVolumeClaim")
            if isinstance(tpl.get("spec"), dict):
                tpl["spec"].setdefault("volumeMode", "Filesystem")
            tpl.setdefault("status", {"phase": "Pending"})
    _default_template(spec)


def default_job_spec(spec: dict) -> None:
    """SetDefaults_Job: completions/parallelism 1 when both are unset, backoffLimit 6, NonIndexed."""
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    _default_template(spec)


def _default_job(obj: dict) -> None:
    default_job_spec(obj["spec"])


def _default_cronjob(obj: dict) -> None:
    """SetDefaults_CronJob: Allow, not suspended, keep 3 successful and 1 failed Job."""
    spec = obj["spec"]
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    jt = spec.get("jobTemplate")
    if isinstance(jt, dict) and isinstance(jt.get("spec"), dict):
        _default_template(jt["spec"])


def _default_rc(obj: dict) -> None:
    """SetDefaults_ReplicationController: replicas 1; selector and labels default to the template's labels."""
    spec = obj["spec"]
    spec.setdefault("replicas", 1)
    template = spec.get("template")
    tlabels = ((template or {}).get("metadata") or {}).get("labels") if isinstance(template, dict) else None
    if isinstance(tlabels, dict) and tlabels:
        if not spec.get("selector"):
            spec["selector"] = dict(tlabels)
        if not obj["metadata"].get("labels"):
            obj["metadata"]["labels"] = dict(tlabels)
    _default_template(spec)


DEFAULTERS = {
    "DaemonSet": _default_daemonset,
    "StatefulSet": _default_statefulset,
    "Job": _default_job,
    "CronJob": _default_cronjob,
    "ReplicationController": _default_rc,
}


# ---------------------------------------------------------------------------------------------- validation
def _nonneg(spec: dict, field: str, path: str, errs: list) -> None:
    if field in spec and spec[field] is not None and not v._nonneg_int(spec[field]):
        errs.append(
            f"{path}.{field}: Invalid value: {v._json(spec[field])}: must be greater than or equal to 0"
        )


def _check_spec(obj: dict, errs: list) -> dict | None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        errs.append("spec: Required value")
        return None
    return spec


def _validate_daemonset(obj: dict, errs: list) -> None:
    spec = _check_spec(obj, errs)
    if spec is None:
        return
    v._validate_workload(obj, errs)
    strategy = spec.get("updateStrategy") or {}
    stype = strategy.get("type", "RollingUpdate") if isinstance(strategy, dict) else None
    if stype not in ("RollingUpdate", "OnDelete"):
        errs.append(
            f'spec.updateStrategy.type: Unsupported value: {v._json(stype)}: supported values: "OnDelete", '
            '"RollingUpdate"'
        )
    elif stype == "RollingUpdate":
        ru = strategy.get("rollingUpdate") or {}
        unavail, surge = ru.get("maxUnavailable", 1), ru.get("maxSurge", 0)
        for field, value in (("maxUnavailable", unavail), ("maxSurge", surge)):
            if not v._int_or_percent(value):
                errs.append(
                    f"spec.updateStrategy.rollingUpdate.{field}: Invalid value: {v._json(value)}: must be an "
                    "integer or percentage (e.g '5%')"
                )
        if unavail in (0, "0%") and surge in (0, "0%"):
            errs.append(
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when "
                "`maxSurge` is 0"
            )
        elif v._int_or_percent(surge) and surge not in (0, "0%"):
            errs.append(
                "spec.updateStrategy.rollingUpdate.maxSurge: Forbidden: surge pods are not supported by the "
                "simulator (use the default 0)"
            )


def _validate_statefulset(obj: dict, errs: list) -> None:
    spec = _check_spec(obj, errs)
    if spec is None:
        return
    # Claim templates are volumes of every pod: mounts may name them (as the real validation assumes).
    claims = [
        {"name": t["metadata"]["name"], "persistentVolumeClaim": {"claimName": t["metadata"]["name"]}}
        for t in spec.get("volumeClaimTemplates") or []
        if isinstance(t, dict) and isinstance(t.get("metadata"), dict) and t["metadata"].get("name")
    ]
    template = spec.get("template")
    if claims and isinstance(template, dict) and isinstance(template.get("spec"), dict):
        tspec = dict(template["spec"])
        tspec["volumes"] = list(tspec.get("volumes") or []) + claims
        obj = dict(obj, spec=dict(spec, template=dict(template, spec=tspec)))
    v._validate_workload(obj, errs)
    policy = spec.get("podManagementPolicy", "OrderedReady")
    if policy not in ("OrderedReady", "Parallel"):
        errs.append(
            f"spec.podManagementPolicy: Unsupported value: {v._json(policy)}: supported values: "
            '"OrderedReady", "Parallel"'
        )
    strategy = spec.get("updateStrategy") or {}
    stype = strategy.get("type", "RollingUpdate") if isinstance(strategy, dict) else None
    if stype not in ("RollingUpdate", "OnDelete"):
        errs.append(
            f'spec.updateStrategy.type: Unsupported value: {v._json(stype)}: supported values: "OnDelete", '
            '"RollingUpdate"'
        )
    elif stype == "OnDelete" and strategy.get("rollingUpdate"):
        errs.append(
            "spec.updateStrategy.rollingUpdate: Invalid value: "
            f"{v._json(strategy['rollingUpdate'])}: only allowed for updateStrategy 'RollingUpdate'"
        )
    else:
        ru = strategy.get("rollingUpdate") or {}
        _nonneg(ru, "partition", "spec.updateStrategy.rollingUpdate", errs)
        if "maxUnavailable" in ru:
            errs.append(
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Forbidden: not supported by the simulator "
                "(the MaxUnavailableStatefulSet feature is beta)"
            )
    retention = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    for field in ("whenDeleted", "whenScaled"):
        value = retention.get(field, "Retain")
        if value not in ("Retain", "Delete"):
            errs.append(
                f"spec.persistentVolumeClaimRetentionPolicy.{field}: Unsupported value: {v._json(value)}: "
                'supported values: "Retain", "Delete"'
            )
        elif value == "Delete":
            errs.append(
                f"spec.persistentVolumeClaimRetentionPolicy.{field}: Forbidden: not supported by the simulator "
                "(claims are retained)"
            )
    start = (spec.get("ordinals") or {}).get("start", 0)
    if not v._nonneg_int(start):
        errs.append(
            f"spec.ordinals.start: Invalid value: {v._json(start)}: must be greater than or equal to 0"
        )
    for i, tpl in enumerate(spec.get("volumeClaimTemplates") or []):
        path = f"spec.volumeClaimTemplates[{i}]"
        name = ((tpl or {}).get("metadata") or {}).get("name") if isinstance(tpl, dict) else None
        if not name:
            errs.append(f"{path}.metadata.name: Required value")
        tspec = (tpl or {}).get("spec") if isinstance(tpl, dict) else None
        tspec = tspec if isinstance(tspec, dict) else {}
        sub: list[str] = []
        v._validate_modes(tspec.get("accessModes"), sub)
        try:
            v.parse_bytes(((tspec.get("resources") or {}).get("requests") or {})["storage"])
        except (KeyError, ValueError, TypeError, AttributeError):
            sub.append("spec.resources[storage]: Required value")
        errs.extend(f"{path}.{cause}" for cause in sub)


def _validate_job_spec(spec: dict, path: str, errs: list) -> None:
    for field in ("parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished"):
        _nonneg(spec, field, path, errs)
    ads = spec.get("activeDeadlineSeconds")
    if ads is not None and not (v._nonneg_int(ads) and ads > 0):
        errs.append(f"{path}.activeDeadlineSeconds: Invalid value: {v._json(ads)}: must be greater than 0")
    mode = spec.get("completionMode", "NonIndexed")
    if mode not in ("NonIndexed", "Indexed"):
        errs.append(
            f'{path}.completionMode: Unsupported value: {v._json(mode)}: supported values: "NonIndexed", "Indexed"'
        )
    elif mode == "Indexed":
        errs.append(f"{path}.completionMode: Forbidden: Indexed Jobs are not supported by the simulator")
    for field in _JOB_UNSUPPORTED:
        if spec.get(field) is not None:
            errs.append(f"{path}.{field}: Forbidden: not supported by the simulator")
    if spec.get("manualSelector"):
        errs.append(f"{path}.manualSelector: Forbidden: not supported by the simulator")
    prp = spec.get("podReplacementPolicy", "TerminatingOrFailed")
    if prp not in ("TerminatingOrFailed", "Failed"):
        errs.append(
            f"{path}.podReplacementPolicy: Unsupported value: {v._json(prp)}: supported values: "
            '"Failed", "TerminatingOrFailed"'
        )
    template = spec.get("template")
    tspec = template.get("spec") if isinstance(template, dict) else None
    pod_errs: list[str] = []
    v._validate_pod_spec(tspec if tspec is not None else {}, f"{path}.template.spec", pod_errs)
    policy_path = f"{path}.template.spec.restartPolicy"
    errs.extend(e for e in pod_errs if not e.startswith(policy_path + ":"))
    policy = tspec.get("restartPolicy", "") if isinstance(tspec, dict) else ""
    # batch/validation validateJobSpec: an unset policy has been defaulted to Always by then.
    if policy in ("Always", ""):
        errs.append(f'{policy_path}: Required value: valid values: "OnFailure", "Never"')
    elif policy not in ("OnFailure", "Never"):
        errs.append(
            f'{policy_path}: Unsupported value: {v._json(policy)}: supported values: "OnFailure", "Never"'
        )


def _validate_job(obj: dict, errs: list) -> None:
    spec = _check_spec(obj, errs)
    if spec is None:
        return
    _validate_job_spec(spec, "spec", errs)


_TZ_IN_SCHEDULE = re.compile(r"^\s*(CRON_)?TZ=")


def schedule_error(schedule) -> str | None:
    """Returns why a cron schedule is invalid (robfig/cron ParseStandard's words), or None."""
    from croniter import croniter

    if not isinstance(schedule, str) or not schedule.strip():
        return "Required value"
    if _TZ_IN_SCHEDULE.match(schedule):
        return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
    text = schedule.strip()
    if not text.startswith("@"):
        fields = text.split()
        if len(fields) != 5:
            return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    elif text not in ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"):
        if not text.startswith("@every "):
            return f"unrecognized descriptor: {text}"
        return "@every is not supported by the simulator"
    if not croniter.is_valid(text):
        return f"failed to parse schedule: {text}"
    return None


def _validate_cronjob(obj: dict, errs: list) -> None:
    spec = _check_spec(obj, errs)
    if spec is None:
        return
    name = obj["metadata"].get("name")
    if isinstance(name, str) and len(name) > 52:
        errs.append(f"metadata.name: Invalid value: {v._json(name)}: must be no more than 52 characters")
    problem = schedule_error(spec.get("schedule"))
    if problem == "Required value":
        errs.append("spec.schedule: Required value")
    elif problem:
        errs.append(f"spec.schedule: Invalid value: {v._json(spec.get('schedule'))}: {problem}")
    tz = spec.get("timeZone")
    if tz is not None:
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(tz)
        except (ValueError, KeyError, OSError, ModuleNotFoundError):
            errs.append(f"spec.timeZone: Invalid value: {v._json(tz)}: unknown time zone {tz}")
    policy = spec.get("concurrencyPolicy", "Allow")
    if policy not in ("Allow", "Forbid", "Replace"):
        errs.append(
            f'spec.concurrencyPolicy: Unsupported value: {v._json(policy)}: supported values: "Allow", '
            '"Forbid", "Replace"'
        )
    for field in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        _nonneg(spec, field, "spec", errs)
    jt = spec.get("jobTemplate")
    jspec = jt.get("spec") if isinstance(jt, dict) else None
    if not isinstance(jspec, dict):
        errs.append("spec.jobTemplate.spec.template.spec.containers: Required value")
        return
    _validate_job_spec(jspec, "spec.jobTemplate.spec", errs)


def _validate_rc(obj: dict, errs: list) -> None:
    spec = _check_spec(obj, errs)
    if spec is None:
        return
    replicas = spec.get("replicas", 1)
    if not v._nonneg_int(replicas):
        errs.append(f"spec.replicas: Invalid value: {v._json(replicas)}: must be greater than or equal to 0")
    _nonneg(spec, "minReadySeconds", "spec", errs)
    selector = spec.get("selector") or {}
    template = spec.get("template")
    if not selector:
        errs.append("spec.selector: Required value")
    if not isinstance(template, dict):
        errs.append("spec.template: Required value")
        return
    tlabels = (template.get("metadata") or {}).get("labels") or {}
    if selector and any(tlabels.get(k) != val for k, val in selector.items()):
        errs.append(
            f"spec.template.metadata.labels: Invalid value: {v._json(tlabels)}: `selector` does not match "
            "template `labels`"
        )
    tspec = template.get("spec")
    v._validate_pod_spec(tspec if tspec is not None else {}, "spec.template.spec", errs, template=True)


def _validate_revision(obj: dict, errs: list) -> None:
    rev = obj.get("revision")
    if not v._nonneg_int(rev):
        errs.append(f"revision: Invalid value: {v._json(rev)}: must be greater than or equal to 0")


VALIDATORS = {
    "DaemonSet": _validate_daemonset,
    "StatefulSet": _validate_statefulset,
    "Job": _validate_job,
    "CronJob": _validate_cronjob,
    "ReplicationController": _validate_rc,
    "ControllerRevision": _validate_revision,
}
