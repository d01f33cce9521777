"""The controller manager: one level-triggered reconcile loop per resource, each in its own module."""
