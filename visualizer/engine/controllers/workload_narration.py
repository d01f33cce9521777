"""Korean and English narration of the workload controllers' events (DaemonSet, StatefulSet, Job, CronJob,
ReplicationController, garbage collector), in the style and with the steps of `narration.py`."""

from __future__ import annotations

_CONTROLLER = {
    "DaemonSet": ("데몬셋 컨트롤러", "The DaemonSet controller"),
    "StatefulSet": ("스테이트풀셋 컨트롤러", "The StatefulSet controller"),
    "Job": ("잡 컨트롤러", "The Job controller"),
    "CronJob": ("크론잡 컨트롤러", "The CronJob controller"),
    "ReplicationController": ("레플리케이션 컨트롤러", "The ReplicationController controller"),
    "ReplicaSet": ("레플리카셋 컨트롤러", "The ReplicaSet controller"),
}

TEMPLATES: dict[str, tuple[int | None, str, str]] = {
    "created": (5, "{ko} 가 {obj} 를 만들었습니다", "{en} created {obj}"),
    "deleted": (5, "{ko} 가 {obj} 를 삭제했습니다", "{en} deleted {obj}"),
    "replaced": (
        6,
        "{ko} 가 실패한 파드 대신 {obj} 를 만들었습니다",
        "{en} created {obj} to replace a failed pod",
    ),
    "completed": (5, "{ko}: {obj} 가 완료되었습니다", "{en}: {obj} completed"),
    "failed": (5, "{ko}: {obj} 가 실패했습니다 ({why})", "{en}: {obj} failed ({why})"),
    "skipped": (5, "{ko} 가 {obj} 실행을 건너뛰었습니다 ({why})", "{en} skipped a run of {obj} ({why})"),
    "released": (
        6,
        "{ko} 가 레이블이 바뀐 파드 {obj} 를 놓아주었습니다 (셀렉터와 맞지 않음)",
        "{en} released pod {obj}: its labels no longer match the selector",
    ),
    "adopted": (
        5,
        "{ko} 가 셀렉터와 맞는 파드 {obj} 를 입양했습니다",
        "{en} adopted pod {obj}, whose labels match its selector",
    ),
}


def narrate_workload(template: str, kind: str, obj: str, why: str = "") -> tuple[int | None, str, str]:
    """Returns (step, korean, english) for a workload controller's action on `obj` (e.g. `pod/web-0`)."""
    step, ko, en = TEMPLATES[template]
    who_ko, who_en = _CONTROLLER.get(kind, (kind, kind))
    return step, ko.format(ko=who_ko, obj=obj, why=why), en.format(en=who_en, obj=obj, why=why)
