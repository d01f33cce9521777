"""Korean and English narration for every event, tied to the lesson's 동작 원리 steps.

The lesson (개념 3) teaches six steps: 1 사용자 요청 → API Server, 2 API Server → etcd, 3 스케줄러 → 노드 선택,
4 kubelet → 컨테이너 실행, 5 컨트롤러 → 상태 감시, 6 문제 발견 → 자동 복구. Each template names the step it
illustrates (None when it belongs to none, e.g. a bare `docker run`). Korean particles follow the lesson's
style of a space before the particle after a Latin name (`web-x2k4p 를`).
"""

from __future__ import annotations

import string

STEP_TITLES = {
    1: ("사용자 요청 → API Server", "User request → API server"),
    2: ("API Server → etcd (상태 저장)", "API server → etcd (state stored)"),
    3: ("스케줄러 → 최적 노드 선택", "Scheduler → picks the best node"),
    4: ("kubelet → 컨테이너 실행", "kubelet → runs the containers"),
    5: ("컨트롤러 → 지속적 상태 감시", "Controllers → keep watching the state"),
    6: ("문제 발견 → 자동 복구", "Problem found → automatic recovery"),
}

# key: (step, korean, english). Fields are filled with str.format.
TEMPLATES: dict[str, tuple[int | None, str, str]] = {
    "request": (
        1,
        "API 서버가 {verb} 요청을 받아 인증·검증했습니다 ({obj})",
        "The API server accepted and validated the {verb} request for {obj}",
    ),
    "stored": (
        2,
        "API 서버가 {obj} 를 etcd 에 저장했습니다 (resourceVersion {rv})",
        "The API server stored {obj} in etcd (resourceVersion {rv})",
    ),
    "deleted": (2, "API 서버가 etcd 에서 {obj} 를 삭제했습니다", "The API server removed {obj} from etcd"),
    "scaled-up-rs": (
        5,
        "디플로이먼트 컨트롤러가 {rs} 를 {a} → {b} 개로 늘렸습니다",
        "The deployment controller scaled {rs} up from {a} to {b}",
    ),
    "scaled-down-rs": (
        5,
        "디플로이먼트 컨트롤러가 {rs} 를 {a} → {b} 개로 줄였습니다",
        "The deployment controller scaled {rs} down from {a} to {b}",
    ),
    "created-rs": (
        5,
        "디플로이먼트 컨트롤러가 새 레플리카셋 {rs} 를 만들었습니다 (리비전 {rev})",
        "The deployment controller created ReplicaSet {rs} (revision {rev})",
    ),
    "pod-created": (
        5,
        "레플리카셋 컨트롤러가 파드 {pod} 를 만들었습니다 (원하는 수 {want}, 현재 {have})",
        "The ReplicaSet controller created pod {pod} (desired {want}, had {have})",
    ),
    "pod-replaced": (
        6,
        "레플리카셋 컨트롤러가 사라진 파드를 대신할 {pod} 를 만들었습니다 (원하는 수 {want}, 현재 {have})",
        "The ReplicaSet controller created {pod} to replace a lost pod (desired {want}, had {have})",
    ),
    "pod-deleted": (
        5,
        "레플리카셋 컨트롤러가 파드 {pod} 를 삭제했습니다 (원하는 수 {want}, 현재 {have})",
        "The ReplicaSet controller deleted pod {pod} (desired {want}, had {have})",
    ),
    "scheduled": (
        3,
        "스케줄러가 {pod} 를 {node} 에 배치했습니다 ({why_ko})",
        "The scheduler placed {pod} on {node} ({why_en})",
    ),
    "failed-scheduling": (
        3,
        "스케줄러가 {pod} 를 놓을 노드를 찾지 못했습니다: {why}",
        "The scheduler found no node for {pod}: {why}",
    ),
    "sandbox": (
        4,
        "kubelet({node}) 이 {pod} 를 맡아 파드 샌드박스(네트워크, IP {ip})를 만듭니다",
        "kubelet on {node} picked up {pod} and is creating its sandbox (network, IP {ip})",
    ),
    "pulling": (
        4,
        "kubelet({node}) 이 이미지 {image} 를 내려받는 중입니다",
        "kubelet on {node} is pulling image {image}",
    ),
    "pulled": (
        4,
        "kubelet({node}) 이 이미지 {image} 를 받았습니다",
        "kubelet on {node} pulled image {image}",
    ),
    "image-present": (
        4,
        "이미지 {image} 가 {node} 에 이미 있어 바로 사용합니다",
        "Image {image} is already present on {node}",
    ),
    "pull-failed": (
        4,
        "이미지 {image} 를 레지스트리에서 찾을 수 없습니다 (오타? 없는 태그?)",
        "Image {image} was not found in the registry (typo? unknown tag?)",
    ),
    "pull-backoff": (
        6,
        "kubelet 이 {backoff}초 뒤에 이미지 {image} 를 다시 받아 봅니다 (ImagePullBackOff)",
        "kubelet will retry pulling {image} in {backoff}s (ImagePullBackOff)",
    ),
    "created": (
        4,
        "kubelet({node}) 이 {pod} 의 컨테이너 {container} 를 만들었습니다",
        "kubelet on {node} created container {container} of {pod}",
    ),
    "started": (
        4,
        "kubelet({node}) 이 {pod} 의 컨테이너 {container} 를 시작했습니다",
        "kubelet on {node} started container {container} of {pod}",
    ),
    "restarted": (
        6,
        "kubelet({node}) 이 {pod} 의 컨테이너 {container} 를 다시 시작했습니다 (재시작 {n}회)",
        "kubelet on {node} restarted container {container} of {pod} (restart #{n})",
    ),
    "killing": (
        4,
        "kubelet({node}) 이 {pod} 의 컨테이너 {container} 를 멈춥니다",
        "kubelet on {node} is stopping container {container} of {pod}",
    ),
    "liveness-kill": (
        6,
        "라이브니스 프로브가 {n}번 연속 실패해 kubelet 이 {pod} 의 컨테이너를 재시작합니다",
        "The liveness probe failed {n} times in a row; kubelet restarts {pod}'s container",
    ),
    "unhealthy-liveness": (
        5,
        "{pod} 의 라이브니스 프로브가 실패했습니다 ({n}/{threshold})",
        "Liveness probe of {pod} failed ({n}/{threshold})",
    ),
    "unhealthy-readiness": (
        5,
        "{pod} 의 레디니스 프로브가 실패했습니다 ({n}/{threshold})",
        "Readiness probe of {pod} failed ({n}/{threshold})",
    ),
    "crash-backoff": (
        6,
        "{pod} 의 컨테이너가 계속 종료되어 {backoff}초 뒤에 다시 시작합니다 (CrashLoopBackOff)",
        "{pod}'s container keeps exiting; kubelet restarts it in {backoff}s (CrashLoopBackOff)",
    ),
    "container-exited": (
        4,
        "{pod} 의 컨테이너 {container} 가 종료 코드 {code} 로 끝났습니다",
        "Container {container} of {pod} exited with code {code}",
    ),
    "config-error": (
        4,
        "{pod} 의 컨테이너 설정에 필요한 것이 없습니다: {why}",
        "{pod}'s container cannot be configured: {why}",
    ),
    "failed-mount": (4, "{pod} 의 볼륨을 붙일 수 없습니다: {why}", "{pod}'s volume cannot be mounted: {why}"),
    "pod-ready": (
        5,
        "{pod} 가 Ready 가 되어 서비스 엔드포인트에 들어갑니다",
        "{pod} is Ready and joins its Services' endpoints",
    ),
    "pod-ready-no-service": (
        5,
        "{pod} 가 Ready 가 되었습니다 (이 파드를 고르는 서비스는 없습니다)",
        "{pod} is Ready (no Service selects it)",
    ),
    "pod-removed": (
        5,
        "kubelet({node}) 이 {pod} 를 정리하고 API 서버에서 지웠습니다",
        "kubelet on {node} cleaned up {pod} and removed it from the API server",
    ),
    "endpoints": (
        5,
        "엔드포인트 컨트롤러가 {svc} 의 엔드포인트를 갱신했습니다 (Ready {ready}개)",
        "The endpoints controller updated {svc}'s endpoints ({ready} ready)",
    ),
    "proxy-rules": (
        5,
        "kube-proxy 가 모든 노드에서 {svc} 의 규칙을 갱신했습니다 (백엔드 {ready}개)",
        "kube-proxy reprogrammed {svc}'s rules on every node ({ready} backends)",
    ),
    "node-not-ready": (
        5,
        "노드 컨트롤러가 {node} 에서 {grace}초 동안 하트비트가 없어 NotReady 로 표시했습니다",
        "The node controller heard nothing from {node} for {grace}s and marked it NotReady",
    ),
    "node-ready": (
        5,
        "노드 {node} 의 kubelet 이 다시 보고하여 Ready 가 되었습니다",
        "kubelet on {node} reports again; the node is Ready",
    ),
    "evicted": (
        6,
        "{node} 가 {seconds}초 넘게 응답이 없어 {pod} 를 축출합니다 (대체 파드가 다른 노드에 생깁니다)",
        "{node} has been unreachable for over {seconds}s; {pod} is evicted (a replacement starts elsewhere)",
    ),
    "rescaled": (
        6,
        "HPA 가 CPU 사용률 {current}% (목표 {target}%) 를 보고 {target_ref} 를 {a} → {b} 개로 조정했습니다",
        "The HPA saw CPU at {current}% (target {target}%) and scaled {target_ref} from {a} to {b}",
    ),
    "hpa-unknown": (
        5,
        "HPA 가 {target_ref} 의 CPU 사용률을 계산할 수 없습니다: {why}",
        "The HPA cannot compute CPU utilisation for {target_ref}: {why}",
    ),
    "gc": (
        5,
        "가비지 컬렉터가 주인이 사라진 {obj} 를 삭제했습니다",
        "The garbage collector deleted {obj}, whose owner is gone",
    ),
    "provisioned": (
        5,
        "스토리지 클래스 {sc} 가 {pvc} 를 위해 볼륨 {pv} 를 만들었습니다",
        "StorageClass {sc} provisioned volume {pv} for {pvc}",
    ),
    "failed-binding": (
        5,
        "PV 컨트롤러가 {pvc} 에 맞는 볼륨을 찾지 못했습니다: 맞는 PV 가 없고 스토리지 클래스도 지정되지 않았습니다 "
        "(PV 를 만들면 연결됩니다)",
        "The PV controller found no volume for {pvc}: no PersistentVolume matches and no storage class is set "
        "(create a matching PV and it binds)",
    ),
    "provisioning-failed": (
        5,
        "PV 컨트롤러가 {pvc} 의 스토리지 클래스 {sc} 를 찾지 못해 볼륨을 만들 수 없습니다 (맞는 PV 가 생기면 "
        "연결됩니다)",
        "The PV controller cannot provision a volume for {pvc}: StorageClass {sc} does not exist (a matching "
        "PV still binds)",
    ),
    "external-provisioning": (
        5,
        "PV 컨트롤러가 {pvc} 의 볼륨을 외부 프로비저너 {provisioner} 에게 맡기고 기다립니다",
        "The PV controller waits for the external provisioner {provisioner} to create a volume for {pvc}",
    ),
    "provisioning": (
        5,
        "프로비저너 {provisioner} 가 {pvc} 를 위한 볼륨을 만들기 시작했습니다",
        "The provisioner {provisioner} started creating a volume for {pvc}",
    ),
    "wait-first-consumer": (
        5,
        "스토리지 클래스 {sc} 는 WaitForFirstConsumer 라서 {pvc} 를 사용하는 파드가 생길 때까지 연결을 미룹니다",
        "StorageClass {sc} is WaitForFirstConsumer: {pvc} waits for a pod that uses it before binding",
    ),
    "bound": (
        5,
        "PV 컨트롤러가 {pvc} 를 볼륨 {pv} 에 연결했습니다",
        "The PV controller bound {pvc} to volume {pv}",
    ),
    "docker-run": (
        None,
        "docker 가 {node} 에서 컨테이너 {name} 를 하나 실행했습니다 (컨트롤러 없음)",
        "docker started one container {name} on {node} (no controller watches it)",
    ),
    "docker-exited": (
        None,
        "docker 컨테이너 {name} 가 종료 코드 {code} 로 끝났습니다 ({what_ko})",
        "docker container {name} exited with code {code} ({what_en})",
    ),
    "docker-restart": (
        None,
        "docker 재시작 정책({policy})에 따라 {name} 를 같은 호스트에서 다시 시작했습니다",
        "docker restarted {name} on the same host because of its restart policy ({policy})",
    ),
    "docker-stopped": (None, "docker 컨테이너 {name} 를 멈췄습니다", "docker container {name} was stopped"),
    "docker-removed": (
        None,
        "docker 컨테이너 {name} 를 지웠습니다. 아무도 다시 만들지 않습니다",
        "docker container {name} was removed; nothing will recreate it",
    ),
    "node-failed": (
        None,
        "{node} 노드가 꺼졌습니다. 그 위의 컨테이너가 모두 멈췄습니다",
        "Node {node} went down; every container on it stopped",
    ),
    "node-recovered": (None, "{node} 노드가 다시 켜졌습니다", "Node {node} is back up"),
    "rollback": (
        1,
        "디플로이먼트 {dep} 를 리비전 {rev} 의 템플릿으로 되돌립니다",
        "Deployment {dep} is rolled back to the template of revision {rev}",
    ),
}


def _compile(text: str):
    """Returns a function of the fields dict that formats `text` exactly as `text.format_map` does, built as
    an f-string (one bytecode instruction per field) when every field is a plain name; format_map otherwise.
    Every event is narrated twice, and str.format parsing the Korean template each time showed in profiles."""
    pieces = []
    for literal, field, spec, conversion in string.Formatter().parse(text):
        escaped = (
            literal.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("{", "{{")
            .replace("}", "}}")
        )
        pieces.append(escaped)
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            return text.format_map
        pieces.append("{f[" + repr(field) + "]}")
    return eval('lambda f: f"' + "".join(pieces) + '"')  # noqa: S307 - source built above from our templates


_COMPILED = {key: (step, _compile(ko), _compile(en)) for key, (step, ko, en) in TEMPLATES.items()}


def narrate(template: str, **fields) -> tuple[int | None, str, str]:
    """Returns (step, korean, english) for a template key filled with fields."""
    step, ko, en = _COMPILED[template]
    return step, ko(fields), en(fields)
