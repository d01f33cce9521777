"""The class's demo cluster: one visualizer cluster per class, and the steps predict → observe runs on it.

The demo is an ordinary `visualizer.models.ClusterRecord` of kind "demo" owned by the instructor
(`user:<id>`, so the instructor drives it and everyone else watches it read-only). The classroom never
touches the engine: it asks the visualizer's host to carry out the same `control` and `command` requests a
browser would send (`visualizer.host.get_host().drive`), wherever the cluster lives, so every viewer of
the demo sees the pause, the setup and the action live.

`setup_steps` and `action_steps` are pure; `run` is the one async function that talks to the host and
returns a plain report per step (never raises for a failed command: the instructor sees the output).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.urls import reverse

MAX_OUTPUT = 2000  # characters of a command's output kept in the class's record
# `{pod:app=web}` in an action names one pod with that label (pod names are generated, so a prompt
# cannot spell one out): "kubectl delete pod {pod:app=web}" deletes the first such pod.
POD_PLACEHOLDER = re.compile(r"\{pod:([A-Za-z0-9=,._/-]+)\}")
# Simulated seconds after an action during which the demo moves from one visible change to the next, each
# held on screen (visualizer.live_cluster.OBSERVE_DWELL real seconds) at any speed: long enough for every
# prompt's outcome (a replacement pod Running within ~2 s, a bad image's first back-off retry at ~15 s).
OBSERVE_WINDOW = 30.0


@dataclass(frozen=True)
class Step:
    kind: str  # "control" or "command"
    text: str  # the control action ("pause", "play", "reset", "observe") or the command line
    value: float | None = None  # the control's value (observe: the window in simulated seconds)


def demo_name(code: str) -> str:
    return f"class-{code}"


def ensure_demo(session):
    """Return the class's demo ClusterRecord, creating (or reusing) it and linking it to the class."""
    from visualizer.models import ClusterRecord

    if session.demo_cluster_id is not None:
        record = ClusterRecord.objects.filter(pk=session.demo_cluster_id).first()
        if record is not None:
            return record
    record, _ = ClusterRecord.objects.get_or_create(
        owner_key=f"user:{session.instructor_id}",
        name=demo_name(session.code),
        defaults={"kind": ClusterRecord.Kind.DEMO, "title": f"수업 데모 · {session.code}"},
    )
    if record.kind != ClusterRecord.Kind.DEMO:
        ClusterRecord.objects.filter(pk=record.pk).update(kind=ClusterRecord.Kind.DEMO)
        record.kind = ClusterRecord.Kind.DEMO
    session.demo_cluster = record
    session.save(update_fields=["demo_cluster"])
    return record


def links(record) -> dict | None:
    """Return the demo's addresses: the live page (control for its instructor, view for others) and the
    read-only watch link."""
    if record is None:
        return None
    return {
        "cluster": record.public_id,
        "url": reverse("visualizer:cluster", args=[record.public_id]),
        "watch_url": reverse("visualizer:shared", args=[record.share_token]),
    }


def embed_config(request, record, role: str) -> dict:
    """Return the configuration `static/js/visualizer/page.js` mounts the embedded demo panel with."""
    from visualizer.page_config import page_config

    return page_config(request, record, role)


def setup_steps(prediction) -> list[Step]:
    """Return what prepares the demo before students predict: stop the clock, optionally start afresh, set up.

    The clock is paused first so nothing happens on screen that would give the answer away; the setup
    commands still run (a `sim wait N` among them advances the paused cluster until it settles).
    """
    steps = [Step("control", "pause")]
    if prediction.fresh:
        steps.append(Step("control", "reset"))
    steps += [Step("command", str(text)) for text in (prediction.setup or [])]
    return steps


def action_steps(prediction) -> list[Step]:
    """Return what plays the prediction: the action (while the clock is still stopped), then the clock
    resumes in observe mode, so the class watches it unfold one visible change at a time.

    Without observe mode the outcome was over before the class could see it: the action's own frame (the
    deleted pod Terminating, its replacement ContainerCreating) was replaced 0.5 simulated seconds later —
    60 ms of wall time at 8× — because nginx exits at once on SIGTERM, as on a real cluster.
    """
    return [
        Step("command", prediction.action),
        Step("control", "observe", OBSERVE_WINDOW),
        Step("control", "play"),
    ]


def _frame(replies: list[str]) -> dict:
    return json.loads(replies[0]) if replies else {}


async def _resolve(host, public_id: str, text: str) -> str:
    """Replace each `{pod:selector}` with the name of the first pod matching the selector."""
    for selector in POD_PLACEHOLDER.findall(text):
        listing = _frame(
            await host.drive(
                public_id,
                "command",
                {"id": "class-resolve", "text": f"kubectl get pods -l {selector} -o name", "stdin": None},
            )
        )
        names = [line[4:] for line in listing.get("output", "").splitlines() if line.startswith("pod/")]
        if not names:
            raise LookupError(f"{selector} 레이블을 가진 파드가 없습니다. · No pod matches {selector}.")
        text = text.replace(f"{{pod:{selector}}}", names[0], 1)
    return text


async def run(public_id: str, steps: list[Step]) -> list[dict]:
    """Carry out the steps on the demo cluster in order; return `{"step", "kind", "ok", "output"}` for each."""
    from visualizer.host import get_host

    host = get_host()
    report = []
    for step in steps:
        if step.kind == "control":
            frame = _frame(await host.drive(public_id, "control", {"action": step.text, "value": step.value}))
            ok = frame.get("type") != "error"
            report.append(
                {"step": step.text, "kind": "control", "ok": ok, "output": frame.get("message", "")}
            )
            continue
        try:
            text = await _resolve(host, public_id, step.text)
        except LookupError as exc:
            report.append({"step": step.text, "kind": "command", "ok": False, "output": str(exc)})
            continue
        frame = _frame(await host.drive(public_id, "command", {"id": "class", "text": text, "stdin": None}))
        ok = frame.get("type") == "result" and bool(frame.get("ok"))
        output = frame.get("output") if frame.get("type") == "result" else frame.get("message", "")
        report.append({"step": text, "kind": "command", "ok": ok, "output": (output or "")[:MAX_OUTPUT]})
    return report
