"""A follower process's snapshot requests to the owner, shared by its viewers: one per role, not one per viewer.

A process that does not own a cluster (visualizer.host, visualizer.relay) gets a snapshot from the owner
through the channel layer. A class attaching at once to the follower would otherwise send the owner one
request per viewer and get one ~80 KB reply each through Redis: under load the replies queue behind the
channel's capacity (channels_redis drops past it) and time out. Instead the viewers of one role join one
request, as the Kubernetes API server's watch cache serves every new watcher from one list of the store
plus the events since (k8s.io/apiserver pkg/storage/cacher: watchCache, `GetAllEventsSince`), rather than
listing etcd per watcher.

A `SnapshotShare` remembers the frames relayed since its request was sent (its `tail`): a viewer that joins
it later needs them after the snapshot (diffs the snapshot already holds are dropped by their version, see
`ClusterHost._offer`). It stays joinable, after its reply too, until the tail passes `max_frames` or
`max_bytes` (then a fresh request is cheaper than the replay) or a reset (a SNAPSHOT marker: the state was
replaced, the reply may predate it; its waiters ask again).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

# Frames a finished request's tail may hold before new viewers start a fresh one (2 s of a 10 frames/s demo).
SHARE_TAIL_FRAMES = 20
# Bytes (UTF-8 of the texts, counted as characters) a tail may hold before the same.
SHARE_TAIL_BYTES = 256 * 1024


@dataclass(eq=False)
class SnapshotShare:
    """One snapshot request to the owner for one role, with the frames relayed since it was sent.

    `future` resolves to the owner's reply frames (a one-element list holding the snapshot, or a `busy`
    error). `open`: new viewers may still join it. `reset`: a reset came after the request.
    """

    role: str
    future: asyncio.Future
    tail: list[str] = field(default_factory=list)
    tail_bytes: int = 0
    open: bool = True
    reset: bool = False


class SnapshotShares:
    """The shares of one cluster on one follower process, at most one joinable per role."""

    def __init__(self, max_frames: int = SHARE_TAIL_FRAMES, max_bytes: int = SHARE_TAIL_BYTES):
        self.max_frames = max_frames
        self.max_bytes = max_bytes
        self.by_role: dict[str, SnapshotShare] = {}

    def joinable(self, role: str) -> SnapshotShare | None:
        """Return the share a new viewer of `role` may join, or None (then `start` one)."""
        share = self.by_role.get(role)
        return share if share is not None and share.open else None

    def start(self, role: str, future: asyncio.Future) -> SnapshotShare:
        """Record a request just sent for `role` (its reply arrives in `future`); it replaces any earlier."""
        share = self.by_role[role] = SnapshotShare(role, future)
        return share

    def forget(self, share: SnapshotShare) -> None:
        """Stop offering a share (its reply was no snapshot: the next viewer asks again)."""
        share.open = False
        if self.by_role.get(share.role) is share:
            del self.by_role[share.role]

    def relayed(self, texts: list[str], snapshot_marker: str) -> None:
        """Note frames relayed to this process, in the order they arrived (call before delivering them).

        `snapshot_marker` among `texts` (a reset, a take-over) closes every share and marks it `reset`.
        """
        for share in list(self.by_role.values()):
            if snapshot_marker in texts:
                share.reset = True
                self.forget(share)
                continue
            for text in texts:
                share.tail.append(text)
                share.tail_bytes += len(text)
            if len(share.tail) > self.max_frames or share.tail_bytes > self.max_bytes:
                self.forget(share)
