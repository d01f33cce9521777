"""HorizontalPodAutoscaler: the replica formula, tolerance, stabilisation, limits, and <unknown> metrics."""

from visualizer.engine import Cluster

from .conftest import deployment, get, ok, web


def _hpa(c):
    return get(c, "hpa")[0]


def test_desired_replicas_follow_ceil_of_current_times_ratio():
    """200 % load on 2 pods with a 50 % target asks for ceil(2 × 200/50) = 8 replicas."""
    c = Cluster(workers=3, seed=7)
    ok(c, "kubectl apply -f -", web(2).replace("cpu: 100m", "cpu: 200m"))
    c.advance(15)
    # kubectl 1.37 marks --cpu-percent deprecated and says so first (the real kubectl prints the same)
    assert ok(c, "kubectl autoscale deployment web --min=2 --max=10 --cpu-percent=50").output == (
        "Flag --cpu-percent has been deprecated, Use --cpu with percentage or resource quantity format (e.g., '70%' for utilization or '500m' for milliCPU).\nhorizontalpodautoscaler.autoscaling/web autoscaled"
    )
    ok(c, "sim load web 200")
    events = c.advance(16)
    rescale = [e for e in events if e["reason"] == "SuccessfulRescale"]
    assert rescale and rescale[0]["message"].startswith("New size: 6;")  # +100 % / +4 pods per period
    c.advance(60)
    assert deployment(c)["spec"]["replicas"] == 8
    assert "cpu: 50%/50%" in ok(c, "kubectl get hpa").output


def test_small_deviations_within_tolerance_do_nothing(cluster):
    """Utilisation within 10 % of the target does not scale."""
    ok(cluster, "kubectl apply -f -", web(4))
    cluster.advance(15)
    ok(cluster, "sim load web 54")
    ok(cluster, "kubectl autoscale deployment web --min=1 --max=10 --cpu-percent=50")
    cluster.advance(60)
    assert deployment(cluster)["spec"]["replicas"] == 4


def test_scale_down_waits_for_the_five_minute_stabilisation_window(cluster):
    """After load drops the HPA keeps the highest recommendation of the last 300 s before scaling down."""
    ok(cluster, "kubectl apply -f -", web(2))
    cluster.advance(15)
    ok(cluster, "kubectl autoscale deployment web --min=2 --max=10 --cpu-percent=50")
    ok(cluster, "sim load web 150")
    cluster.advance(90)
    high = deployment(cluster)["spec"]["replicas"]
    assert high == 6
    ok(cluster, "sim load web 5")
    cluster.advance(240)
    assert deployment(cluster)["spec"]["replicas"] == high
    cluster.advance(120)
    assert deployment(cluster)["spec"]["replicas"] == 2


def test_max_replicas_caps_the_scale_up(cluster):
    """The HPA never goes above maxReplicas."""
    ok(cluster, "kubectl apply -f -", web(2))
    cluster.advance(15)
    ok(cluster, "kubectl autoscale deployment web --max=3 --cpu-percent=50")
    ok(cluster, "sim load web 400")
    cluster.advance(120)
    assert deployment(cluster)["spec"]["replicas"] == 3
    cond = {c["type"]: c["reason"] for c in _hpa(cluster)["status"]["conditions"]}
    assert cond["ScalingLimited"] == "TooManyReplicas"


def test_pods_without_cpu_requests_give_unknown(cluster):
    """Without CPU requests utilisation is undefined: TARGETS shows <unknown> and nothing scales."""
    ok(cluster, "kubectl create deployment plain --image=nginx:1.20 --replicas=2")
    cluster.advance(15)
    events = ok(cluster, "kubectl autoscale deployment plain --max=5 --cpu-percent=50").events
    ok(cluster, "sim load plain 300")
    events += cluster.advance(30)
    assert "cpu: <unknown>/50%" in ok(cluster, "kubectl get hpa").output
    assert any(e["reason"] == "FailedGetResourceMetric" for e in events)
    assert deployment(cluster, "plain")["spec"]["replicas"] == 2


def test_autoscale_flag_errors_match_kubectl(cluster):
    """--max is required and must not be below --min."""
    ok(cluster, "kubectl apply -f -", web(1))
    assert "--max=MAXPODS is required" in cluster.run("kubectl autoscale deployment web").output
    assert (
        "must be larger or equal to --min=MINPODS"
        in cluster.run("kubectl autoscale deployment web --min=5 --max=2").output
    )
