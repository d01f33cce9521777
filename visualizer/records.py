"""Database side of live clusters: load, save, and the lease that makes one process the cluster's owner.

Synchronous functions (the host calls them through database_sync_to_async). A lease is a row-level
compare-and-set: one UPDATE succeeds for exactly one process, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from visualizer.models import ClusterDelta, ClusterRecord, Scenario, ScenarioCompletion

_SCENARIO_STATE = ClusterRecord._meta.get_field("scenario_state")


def load(public_id: str) -> ClusterRecord | None:
    return ClusterRecord.objects.filter(public_id=public_id).first()


def save(public_id: str, fields: dict, owner: str) -> bool:
    """Write the cluster's state if this process still holds the lease; return whether it was written.

    `fields` are ClusterRecord columns plus the state as either `state` (a new base: the deltas before it are
    deleted, i.e. compacted) or `delta` (one ClusterDelta row appended). Everything happens in one
    transaction: the UPDATE of the record is the lease check (it matches only while `owner` holds the lease,
    and holds the row's lock until the commit, as SELECT … FOR UPDATE did), so a process that lost the lease
    writes nothing, and a crash leaves either the whole save or none of it (loading = base + deltas in order,
    ClusterRecord.state_dict).

    Plain SQL rather than the ORM: the owner saves after every command (ten times a second in a class demo),
    and building the three queries through the ORM cost it ~3 ms of CPU each time (issue 12 §4).
    """
    fields = dict(fields)
    delta = fields.pop("delta", None)
    if "scenario_state" in fields:
        fields["scenario_state"] = _SCENARIO_STATE.get_db_prep_save(fields["scenario_state"], connection)
    fields["updated"] = timezone.now()
    record_table, delta_table = ClusterRecord._meta.db_table, ClusterDelta._meta.db_table
    qn = connection.ops.quote_name
    names = list(fields)
    values = [connection.ops.adapt_datetimefield_value(v) if n == "updated" else v for n, v in fields.items()]
    assignments = [f"{qn(n)} = %s" for n in names]
    if "state" in fields:
        assignments.append(f"{qn('delta_bytes')} = 0")
    elif delta is not None:
        assignments.append(f"{qn('delta_bytes')} = {qn('delta_bytes')} + %s")
        values.append(len(delta))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(record_table)} SET {', '.join(assignments)}"
            f" WHERE {qn('public_id')} = %s AND {qn('lease_owner')} = %s",
            [*values, public_id, owner],
        )
        if cursor.rowcount != 1:
            return False
        record_id = f"(SELECT {qn('id')} FROM {qn(record_table)} WHERE {qn('public_id')} = %s)"
        if "state" in fields:
            cursor.execute(
                f"DELETE FROM {qn(delta_table)} WHERE {qn('record_id')} = {record_id}", [public_id]
            )
        if delta is not None:
            cursor.execute(
                f"INSERT INTO {qn(delta_table)} ({qn('record_id')}, {qn('payload')}, {qn('created')})"
                f" SELECT {qn('id')}, %s, %s FROM {qn(record_table)} WHERE {qn('public_id')} = %s",
                [delta, values[names.index("updated")], public_id],
            )
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
