"""Database side of live clusters: load, save, and the lease that makes one process the cluster's owner.

Synchronous functions (the host calls them through database_sync_to_async). A lease is a row-level
compare-and-set: one UPDATE succeeds for exactly one process, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from visualizer.models import ClusterDelta, ClusterRecord, Scenario, ScenarioCompletion


def load(public_id: str) -> ClusterRecord | None:
    return ClusterRecord.objects.filter(public_id=public_id).first()


def save(public_id: str, fields: dict, owner: str) -> bool:
    """Write the cluster's state if this process still holds the lease; return whether it was written.

    `fields` are ClusterRecord columns plus the state as either `state` (a new base: the deltas before it are
    deleted, i.e. compacted) or `delta` (one ClusterDelta row appended). Everything happens in one
    transaction, after the lease check: a process that lost the lease writes nothing, and a crash leaves
    either the whole save or none of it (loading = base + deltas in order, ClusterRecord.state_dict).
    """
    fields = dict(fields)
    delta = fields.pop("delta", None)
    if "state" in fields:
        fields["delta_bytes"] = 0
    elif delta is not None:
        fields["delta_bytes"] = F("delta_bytes") + len(delta)
    with transaction.atomic():
        record_id = (
            ClusterRecord.objects.select_for_update()
            .filter(public_id=public_id, lease_owner=owner)
            .values_list("pk", flat=True)
            .first()
        )
        if record_id is None:
            return False
        ClusterRecord.objects.filter(pk=record_id).update(**fields, updated=timezone.now())
        if "state" in fields:
            ClusterDelta.objects.filter(record_id=record_id).delete()
        if delta is not None:
            ClusterDelta.objects.create(record_id=record_id, payload=delta)
    return True


def acquire_lease(public_id: str, owner: str, ttl: float) -> bool:
    """Take or renew the lease for `ttl` seconds; fails while another process holds an unexpired one."""
    now = timezone.now()
    free = Q(lease_owner="") | Q(lease_owner=owner) | Q(lease_expires__isnull=True) | Q(lease_expires__lt=now)
    return bool(
        ClusterRecord.objects.filter(free, public_id=public_id).update(
            lease_owner=owner, lease_expires=now + timedelta(seconds=ttl)
        )
    )


def release_lease(public_id: str, owner: str) -> None:
    ClusterRecord.objects.filter(public_id=public_id, lease_owner=owner).update(
        lease_owner="", lease_expires=None
    )


def api_identity(public_id: str, token: str) -> tuple[str, str] | None:
    """Return (role, user) for a bearer token of a cluster's Kubernetes API, or None (401 Unauthorized).

    The cluster's api_token controls it ("control"); its share token reads it ("view"). The user name is what
    Forbidden messages quote (`User "viewer" cannot create resource …`).
    """
    caller = api_caller(public_id, token)
    return None if caller is None else caller[:2]


def api_caller(public_id: str, token: str) -> tuple[str, str, str] | None:
    """Return (role, user, owner key) for a bearer token of a cluster's API, or None (see `api_identity`).

    The owner key (`visitor:…`, `user:…`) is whose cluster it is: the controlling token is that person's, so
    their API requests share the rate limits of their browser (visualizer.ratelimit).
    """
    if not token:
        return None
    record = (
        ClusterRecord.objects.filter(public_id=public_id)
        .only("kind", "api_token", "share_token", "owner_key")
        .first()
    )
    if record is None:
        return None
    if secrets.compare_digest(token, record.api_token):
        return (
            "control",
            ("instructor" if record.kind == ClusterRecord.Kind.DEMO else "student"),
            record.owner_key,
        )
    if secrets.compare_digest(token, record.share_token):
        return "view", "viewer", record.owner_key
    return None


def cluster_of_token(token: str) -> str | None:
    """Return the public id of the cluster whose API or share token this is (tokens are unique), or None.

    For requests that reach the API port without the `/k8s/<cluster>` prefix (`kubectl proxy` forwards to the
    server's root unless told `--append-server-path`): the token alone names the cluster.
    """
    if not token:
        return None
    found = ClusterRecord.objects.filter(Q(api_token=token) | Q(share_token=token)).values_list(
        "public_id", flat=True
    )
    return found.first()


def scenario_definition(slug: str) -> dict | None:
    """Return a scenario as the checker reads it (a plain dict), or None for an unknown slug."""
    found = Scenario.objects.filter(slug=slug).first()
    if found is None:
        return None
    return {
        "slug": found.slug,
        "title": found.title,
        "summary": found.summary,
        "layout": found.layout,
        "setup": list(found.setup),
        "steps": list(found.steps),
    }


def scenario_side(public_id: str) -> tuple[str, str | None]:
    """Return (side, partner's public id) for a cluster of a side-by-side scenario page, else ("a", None).

    The scenario page names a student's two clusters `scenario-<slug>-a` and `scenario-<slug>-b`.
    """
    record = ClusterRecord.objects.filter(public_id=public_id).only("owner_key", "name").first()
    if record is None or not record.name.startswith("scenario-") or record.name[-2:] not in ("-a", "-b"):
        return "a", None
    side = record.name[-1]
    other = record.name[:-1] + ("b" if side == "a" else "a")
    partner = ClusterRecord.objects.filter(owner_key=record.owner_key, name=other).values_list(
        "public_id", flat=True
    )
    return side, partner.first()


def record_completion(public_id: str, slug: str) -> None:
    """Note that the owner of this cluster completed the scenario (idempotent)."""
    owner = ClusterRecord.objects.filter(public_id=public_id).values_list("owner_key", flat=True).first()
    if owner:
        ScenarioCompletion.objects.get_or_create(owner_key=owner, scenario=slug)
