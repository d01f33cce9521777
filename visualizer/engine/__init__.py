"""Toy Kubernetes cluster simulation (pure Python, no Django). Public API: `Cluster` (see docs/engine.md).

from visualizer.engine import Cluster, apply_diff
cluster = Cluster(workers=3, seed=7)
result = cluster.run("kubectl apply -f -", stdin=yaml_text)
events = cluster.advance(seconds=5.0)
"""

from .cluster import Cluster, CommandResult
from .snapshot import apply_diff

__all__ = ["Cluster", "CommandResult", "apply_diff"]
