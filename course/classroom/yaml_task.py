"""The YAML task: apply the student's manifest to a fresh simulated cluster and check the state it produces.

This is the lesson's declarative idea graded by what it does, not by how it is written: the manifest is
applied to a new `visualizer.engine.Cluster`, simulated time advances a minute (images pulled, pods
scheduled and started), and the task passes when the cluster runs `replicas` ready pods of `image` owned by a
Deployment. A small static check first gives a friendlier Korean message for the most common mistakes.
"""

import json
import logging

import yaml

log = logging.getLogger(__name__)

SETTLE_SECONDS = 60.0
SEED = 7


def _static_problem(text: str, expected: dict) -> str:
    """Return a Korean explanation of an obvious mistake in the manifest, or "" when none is found."""
    try:
        docs = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" ({mark.line + 1}행)" if mark is not None else ""
        return f"YAML 문법 오류{where}: 들여쓰기와 콜론을 확인하세요."
    deployments = [doc for doc in docs if isinstance(doc, dict) and doc.get("kind") == "Deployment"]
    if not deployments:
        return "kind: Deployment 오브젝트가 없습니다."
    spec = deployments[0].get("spec") or {}
    if not isinstance(spec, dict):
        return "spec이 올바르지 않습니다."
    if spec.get("replicas") != expected.get("replicas"):
        return f"replicas가 {expected.get('replicas')}이어야 합니다."
    return ""


def _ready_pods(cluster) -> list[dict]:
    result = cluster.run("kubectl get pods -o json")
    data = json.loads(result.output) if result.ok else {}
    return data.get("items", []) if isinstance(data, dict) else []


def _pod_matches(pod: dict, image: str) -> bool:
    spec, status, meta = pod.get("spec") or {}, pod.get("status") or {}, pod.get("metadata") or {}
    images = [c.get("image") for c in spec.get("containers") or []]
    owners = [ref.get("kind") for ref in meta.get("ownerReferences") or []]
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
    )
    if not ready:
        ready = bool(status.get("containerStatuses")) and all(
            c.get("ready") for c in status["containerStatuses"]
        )
    # A Deployment's pods are owned by its ReplicaSet; a bare Pod would not be kept at three.
    return image in images and status.get("phase") == "Running" and ready and "ReplicaSet" in owners


def check_manifest(text: str, expected: dict) -> tuple[bool, str]:
    """Return (passed, Korean detail) for the manifest `text` against `expected` {"image", "replicas"}."""
    problem = _static_problem(text, expected)
    if problem:
        return False, problem
    try:
        from visualizer.engine import Cluster
    except ImportError:  # the engine is built separately; grade statically until it lands
        return _static_only(text, expected)
    try:
        cluster = Cluster(workers=3, seed=SEED)
        applied = cluster.run("kubectl apply -f -", stdin=text)
        if not applied.ok:
            return False, f"적용 실패: {str(applied.output).strip()[:300]}"
        cluster.advance(seconds=SETTLE_SECONDS)
        running = [pod for pod in _ready_pods(cluster) if _pod_matches(pod, expected["image"])]
    except Exception:  # the student's manifest must never turn into a server error
        log.exception("YAML task: the engine failed on a manifest")
        return False, "시뮬레이터가 이 매니페스트를 처리하지 못했습니다. 형식을 확인하세요."
    want = expected["replicas"]
    if len(running) == want:
        return True, f"클러스터에 적용한 결과 {expected['image']} 파드 {want}개가 Ready 상태로 실행 중입니다."
    return (
        False,
        f"적용 후 1분이 지나도 {expected['image']} 파드가 {len(running)}개만 실행 중입니다 (기대: {want}개).",
    )


def _static_only(text: str, expected: dict) -> tuple[bool, str]:
    doc = next(d for d in yaml.safe_load_all(text) if isinstance(d, dict) and d.get("kind") == "Deployment")
    spec = doc.get("spec") or {}
    template = spec.get("template") or {}
    labels = ((template.get("metadata") or {}).get("labels")) or {}
    selector = ((spec.get("selector") or {}).get("matchLabels")) or {}
    containers = ((template.get("spec") or {}).get("containers")) or []
    images = [c.get("image") for c in containers if isinstance(c, dict)]
    if not selector or any(labels.get(k) != v for k, v in selector.items()):
        return False, "selector.matchLabels가 template의 labels와 일치해야 합니다."
    if expected["image"] not in images:
        return False, f"컨테이너 이미지가 {expected['image']}이어야 합니다."
    return True, "선언이 올바릅니다 (시뮬레이터 없이 정적으로 확인)."
