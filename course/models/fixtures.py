"""Which version of each shipped fixture the database holds, so `load_course` reloads only what changed."""

from django.db import models


class LoadedFixture(models.Model):
    """A fixture file loaded by `manage.py load_course`, with the sha256 of the text that was loaded.

    Reloading an unchanged fixture on every `make run` would undo what instructors edited in the admin.
    """

    name = models.CharField(max_length=100, unique=True)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"
