"""Toy Kubernetes cluster simulation (pure Python, no Django). Public API: `Cluster` (see docs/engine.md)."""
