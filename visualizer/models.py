"""Persisted clusters and the guided scenarios that run on them.

A cluster's simulation state (`Cluster.to_dict()`) is kept as a base JSON document plus the deltas written since
(`ClusterDelta`, one per save after every command and every second while the clock runs; see
visualizer/engine/saving.py), so a page reload or a server restart resumes where it was and a save costs what
changed, not the cluster's size. When the deltas outweigh the base, the next save writes a new base and
drops them in the same transaction (records.save). The lease
fields let several Daphne processes agree that exactly one of them advances a given cluster.
"""

from __future__ import annotations

import json
import secrets

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def new_public_id() -> str:
    return secrets.token_urlsafe(9)


def new_share_token() -> str:
    return secrets.token_urlsafe(16)


def new_api_token() -> str:
    """A bearer token for the cluster's Kubernetes API (visualizer.kubeapi): whoever holds it controls the
    cluster. 32 random bytes, URL-safe, as kubeadm's bootstrap tokens are long random strings."""
    return secrets.token_urlsafe(32)


class ClusterRecord(models.Model):
    class Kind(models.TextChoices):
        SANDBOX = "sandbox", _("개인 샌드박스")
        DEMO = "demo", _("수업 데모")

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SANDBOX)
    owner_key = models.CharField(max_length=80, db_index=True, help_text="visitor:<id> or user:<id>")
    name = models.CharField(max_length=40, default="sandbox", help_text="Which of the owner's clusters")
    title = models.CharField(max_length=100, blank=True)
    share_token = models.CharField(max_length=32, unique=True, default=new_share_token)
    # The kubeconfig token that controls this cluster through its Kubernetes API (the owner's for a sandbox,
    # the instructor's for a class demo). The share token above is the read-only one.
    api_token = models.CharField(max_length=64, unique=True, default=new_api_token)
    # JSON text rather than a JSONField: PostgreSQL's jsonb refuses "\u0000", which engine keys may hold, and
    # the engine's state is only ever read whole, so text is also the cheaper column to write.
    state = models.TextField(
        blank=True,
        default="",
        help_text="The base: json.dumps(Cluster.to_dict()) at the last compaction; empty for a fresh cluster",
    )
    # Bytes of the ClusterDelta rows written since the base (records.save compacts when they outweigh it).
    delta_bytes = models.BigIntegerField(default=0)
    version = models.BigIntegerField(default=0)
    speed = models.FloatField(default=1.0)
    paused = models.BooleanField(default=False)
    scenario = models.CharField(max_length=60, blank=True)
    scenario_state = models.JSONField(null=True, blank=True)
    lease_owner = models.CharField(max_length=80, blank=True)
    lease_expires = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner_key", "name"], name="one_cluster_per_owner_and_name")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name} ({self.public_id})"

    def get_absolute_url(self) -> str:
        return reverse("visualizer:cluster", args=[self.public_id])

    @property
    def state_dict(self) -> dict | None:
        """Return the saved engine state (Cluster.to_dict(): the base with every delta applied in order), or
        None for a fresh cluster."""
        if not self.state:
            return None
        from visualizer.engine.saving import apply_delta

        state = json.loads(self.state)
        for payload in self.deltas.order_by("id").values_list("payload", flat=True):
            apply_delta(state, json.loads(payload))
        return state


class ClusterDelta(models.Model):
    """One incremental save of a cluster: what changed since the previous save (saving.SaveTracker, JSON)."""

    record = models.ForeignKey(ClusterRecord, on_delete=models.CASCADE, related_name="deltas")
    payload = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"delta {self.pk} of {self.record_id} ({len(self.payload)} bytes)"


class ScenarioManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> Scenario:
        return self.get(slug=slug)


class Scenario(models.Model):
    """A guided exercise: a few steps, each completed when the cluster's state shows it (see scenario_checks).

    A scenario belongs to a lesson when `lesson` is set: figure `diagram_number` of THAT lesson gets its
    "실습해보기" link, and only that lesson's classes count it as 세션 마무리 evidence. A scenario without a
    lesson is lesson-independent: listed with the others on the scenarios page, linked from no figure,
    evidence in no class.
    """

    slug = models.SlugField(unique=True)
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=120)
    lesson = models.ForeignKey(
        "course.Lesson",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scenarios",
        help_text="The lesson it belongs to, or empty for a lesson-independent scenario",
    )
    feature = models.CharField(max_length=40, blank=True, help_text="Which of the 8 core features, or empty")
    diagram_number = models.PositiveIntegerField(
        null=True, blank=True, help_text="The figure of its lesson it practises (ignored without a lesson)"
    )
    summary = models.TextField(blank=True)
    layout = models.CharField(
        max_length=10, default="single", help_text="single, or pair for two clusters side by side"
    )
    setup = models.JSONField(
        default=list, blank=True, help_text="Commands run on a fresh cluster before step 1"
    )
    steps = models.JSONField(default=list, help_text="[{title, text, hint, check}] — see docs/engine.md")

    objects = ScenarioManager()

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("visualizer:scenario", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    natural_key.dependencies = ["course.lesson"]


class ScenarioCompletion(models.Model):
    """Evidence that someone finished a guided scenario (the classroom's session checklist reads it)."""

    owner_key = models.CharField(max_length=80, db_index=True)
    scenario = models.SlugField()
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner_key", "scenario"], name="one_completion_per_scenario")
        ]

    def __str__(self) -> str:
        return f"{self.owner_key} completed {self.scenario}"
