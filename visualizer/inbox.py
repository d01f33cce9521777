"""Moved to `wsflow.inbox` (shared with the classroom socket); kept so existing imports work."""

from wsflow.inbox import INBOX_HIGH, INBOX_LOW, InboxThrottle

__all__ = ["INBOX_HIGH", "INBOX_LOW", "InboxThrottle"]
