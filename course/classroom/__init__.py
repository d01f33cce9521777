"""Classroom logic in plain Python: join codes, nicknames, pairing, grading, results, timers, exports.

Modules here never import Channels; the ones that touch the ORM (`actions`, `state`) are called from views and
from consumers through `database_sync_to_async`, and return pre-serialised frames to broadcast.
"""
