"""Scheduling rules that read a pod's spec: tolerations, node affinity and inter-pod affinity.

Pure functions the scheduler (filters and scores) and the taint-eviction part of the node lifecycle controller
call. Sources: kubernetes.io concepts/scheduling-eviction/assign-pod-node.md and taint-and-toleration.md;
kubernetes pkg/scheduler/framework/plugins/{nodeaffinity,tainttoleration,interpodaffinity};
k8s.io/component-helpers/scheduling/corev1/nodeaffinity (term matching); core/v1 `Toleration.ToleratesTaint`.
"""

from __future__ import annotations

from .objects import matches, selector_requirements

# Scheduler reason strings [S kubernetes pkg/scheduler/framework/plugins/*; v1.35 hides the taint itself,
# PR #134740 "remove taint values from unschedulable messages in pod status"].
REASON_TAINT = "node(s) had untolerated taint(s)"
REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
REASON_POD_AFFINITY = "node(s) didn't match pod affinity rules"
REASON_POD_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"


# ---------------------------------------------------------------------------------------------- tolerations
def toleration_matches(t: dict, taint: dict) -> bool:
    """Returns True when one toleration tolerates one taint (core/v1 `Toleration.ToleratesTaint`).

    An empty effect matches every effect; `Exists` with an empty key matches every taint; `Equal` (the
    default operator) needs the same key and value."""
    effect = t.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = t.get("key") or ""
    if key and key != taint.get("key"):
        return False
    if t.get("operator", "Equal") == "Exists":
        return True
    return bool(key) and (t.get("value") or "") == (taint.get("value") or "")


def tolerates(pod: dict, taint: dict) -> bool:
    """Returns True when one of the pod's tolerations matches the taint."""
    # A loop rather than any(generator): the scheduler asks for every taint of every node for every pod.
    for t in pod["spec"].get("tolerations") or ():  # noqa: SIM110
        if toleration_matches(t, taint):
            return True
    return False


# ---------------------------------------------------------------------------------------------- node affinity
def _requirement_ok(req: dict, labels: dict) -> bool:
    """One NodeSelectorRequirement against node labels (In, NotIn, Exists, DoesNotExist, Gt, Lt)."""
    key, op, values = req.get("key", ""), req.get("operator"), req.get("values") or []
    present = key in labels
    if op == "In":
        return present and labels[key] in values
    if op == "NotIn":
        return not present or labels[key] not in values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt"):
        # Both sides must parse as integers; otherwise the requirement does not match.
        try:
            have, want = int(labels[key]), int(values[0])
        except (KeyError, ValueError, IndexError, TypeError):
            return False
        return have > want if op == "Gt" else have < want
    return False


def term_matches(term: dict, node: dict) -> bool:
    """Returns True when a NodeSelectorTerm matches: its matchExpressions (labels) and matchFields
    (`metadata.name` only) are ANDed; a term with neither matches nothing."""
    exprs = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not exprs and not fields:
        return False
    labels = node["metadata"].get("labels") or {}
    if not all(_requirement_ok(r, labels) for r in exprs):
        return False
    name_only = {"metadata.name": node["metadata"]["name"]}
    return all(_requirement_ok(r, name_only) for r in fields)


def node_affinity_ok(pod: dict, node: dict) -> bool:
    """The NodeAffinity filter: `nodeSelector` (every label equal) AND the required node affinity (terms
    ORed)."""
    spec = pod["spec"]
    selector = spec.get("nodeSelector")
    if selector:
        labels = node["metadata"].get("labels") or {}
        if any(labels.get(k) != v for k, v in selector.items()):
            return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    terms = required.get("nodeSelectorTerms")
    if terms is None:
        return True
    return any(term_matches(t, node) for t in terms)


def preferred_node_affinity(pod: dict, node: dict) -> int:
    """Returns the sum of the weights (1–100) of the preferred node-affinity terms the node matches."""
    prefs = ((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
        "preferredDuringSchedulingIgnoredDuringExecution"
    ) or []
    return sum(p.get("weight", 0) for p in prefs if term_matches(p.get("preference") or {}, node))


# ---------------------------------------------------------------------------------------------- pod affinity
def _term_namespaces(term: dict, pod: dict, namespaces: list[dict]) -> set[str] | None:
    """Namespaces a PodAffinityTerm looks in: `namespaces` ∪ those matching `namespaceSelector`; neither given
    means the pod's own namespace; an empty namespaceSelector (`{}`) means all (None)."""
    names = set(term.get("namespaces") or ())
    sel = term.get("namespaceSelector")
    if sel is not None:
        if not sel.get("matchLabels") and not sel.get("matchExpressions"):
            return None
        reqs = selector_requirements(sel)
        names |= {n["metadata"]["name"] for n in namespaces if matches(reqs, n["metadata"].get("labels"))}
    elif not names:
        names = {pod["metadata"]["namespace"]}
    return names


def term_selects(term: dict, owner: dict, other: dict, namespaces: list[dict]) -> bool:
    """Returns True when `other` (a pod) is selected by `owner`'s PodAffinityTerm (namespace and labels).

    A term without labelSelector selects nothing [D assign-pod-node.md]."""
    sel = term.get("labelSelector")
    if sel is None:
        return False
    ns = _term_namespaces(term, owner, namespaces)
    if ns is not None and other["metadata"]["namespace"] not in ns:
        return False
    return matches(selector_requirements(sel), other["metadata"].get("labels"))


def pod_affinity(pod: dict) -> dict:
    """Returns `spec.affinity` (or {})."""
    return pod["spec"].get("affinity") or {}


def required_terms(pod: dict, kind: str) -> list[dict]:
    """Returns the required terms of `podAffinity` or `podAntiAffinity`."""
    return (pod_affinity(pod).get(kind) or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or []


def preferred_terms(pod: dict, kind: str) -> list[dict]:
    """Returns the weighted preferred terms of `podAffinity` or `podAntiAffinity`."""
    return (pod_affinity(pod).get(kind) or {}).get("preferredDuringSchedulingIgnoredDuringExecution") or []


class InterPodAffinity:
    """The InterPodAffinity plugin's PreFilter state for one incoming pod, computed once per scheduling.

    `placed` holds the (pod, node labels) of every pod already bound to a node and not terminating."""

    def __init__(self, pod: dict, placed: list[tuple[dict, dict]], namespaces: list[dict]):
        self.pod = pod
        self.placed = placed
        self.namespaces = namespaces
        self.affinity = required_terms(pod, "podAffinity")
        self.anti = required_terms(pod, "podAntiAffinity")
        # Existing pods whose required anti-affinity selects the incoming pod: the topology values they forbid.
        self.forbidden: list[tuple[str, str]] = []
        for other, labels in placed:
            for term in required_terms(other, "podAntiAffinity"):
                key = term.get("topologyKey", "")
                if key in labels and term_selects(term, other, pod, namespaces):
                    self.forbidden.append((key, labels[key]))
        # For each required affinity term: the topology values where a matching pod runs.
        self.affinity_domains = [self._domains(t) for t in self.affinity]
        self.anti_domains = [self._domains(t) for t in self.anti]
        # The first pod of a group that selects itself may go anywhere the topology key exists
        # [S interpodaffinity/filtering.go satisfyPodAffinity].
        self.self_match = bool(self.affinity) and all(
            term_selects(t, pod, pod, namespaces) for t in self.affinity
        )
        self.any_match = any(self.affinity_domains)

    def _domains(self, term: dict) -> set[str]:
        key = term.get("topologyKey", "")
        return {
            labels[key]
            for other, labels in self.placed
            if key in labels and term_selects(term, self.pod, other, self.namespaces)
        }

    def filter_reason(self, node: dict) -> str | None:
        """Returns the InterPodAffinity reason this node fails with, or None."""
        labels = node["metadata"].get("labels") or {}
        for term, domains in zip(self.affinity, self.affinity_domains, strict=True):
            key = term.get("topologyKey", "")
            if key not in labels:
                return REASON_POD_AFFINITY
            if labels[key] not in domains and not (not self.any_match and self.self_match):
                return REASON_POD_AFFINITY
        for term, domains in zip(self.anti, self.anti_domains, strict=True):
            key = term.get("topologyKey", "")
            if key in labels and labels[key] in domains:
                return REASON_POD_ANTI_AFFINITY
        for key, value in self.forbidden:
            if labels.get(key) == value:
                return REASON_EXISTING_ANTI_AFFINITY
        return None

    def score(self, node: dict) -> int:
        """Returns the raw preferred score: + weight for each placed pod in the node's topology domain that a
        preferred affinity term selects, − weight for each a preferred anti-affinity term selects."""
        labels = node["metadata"].get("labels") or {}
        total = 0
        for kind, sign in (("podAffinity", 1), ("podAntiAffinity", -1)):
            for pref in preferred_terms(self.pod, kind):
                term = pref.get("podAffinityTerm") or {}
                key = term.get("topologyKey", "")
                if key not in labels:
                    continue
                for other, olabels in self.placed:
                    if olabels.get(key) == labels[key] and term_selects(
                        term, self.pod, other, self.namespaces
                    ):
                        total += sign * pref.get("weight", 0)
        return total
