"""PersistentVolume controller: static binding, dynamic provisioning, reclaim policies, access modes."""

from .conftest import get, ok

CLAIM = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: {name}}}
spec:
  accessModes: [{mode}]
  storageClassName: "{cls}"
  resources: {{requests: {{storage: {size}}}}}
"""
VOLUME = """
apiVersion: v1
kind: PersistentVolume
metadata: {{name: {name}}}
spec:
  capacity: {{storage: {size}}}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  storageClassName: ""
  hostPath: {{path: /mnt/{name}}}
"""


def test_a_claim_binds_the_smallest_matching_static_volume(cluster):
    """A 1Gi claim without a class binds the 2Gi volume rather than the 10Gi one."""
    ok(
        cluster,
        "kubectl apply -f -",
        VOLUME.format(name="big", size="10Gi") + "---" + VOLUME.format(name="small", size="2Gi"),
    )
    assert {v["status"]["phase"] for v in get(cluster, "pv")} == {"Available"}
    ok(cluster, "kubectl apply -f -", CLAIM.format(name="c", mode="ReadWriteOnce", cls="", size="1Gi"))
    claim = get(cluster, "pvc c")[0]
    assert claim["status"]["phase"] == "Bound" and claim["spec"]["volumeName"] == "small"
    assert claim["status"]["capacity"] == {"storage": "2Gi"}
    assert get(cluster, "pv small")[0]["spec"]["claimRef"]["name"] == "c"


def test_a_claim_with_no_match_and_no_provisioner_stays_pending(cluster):
    """A ReadWriteMany claim with no class and no matching volume stays Pending."""
    ok(cluster, "kubectl apply -f -", CLAIM.format(name="c", mode="ReadWriteMany", cls="", size="1Gi"))
    assert get(cluster, "pvc c")[0]["status"]["phase"] == "Pending"


def test_deleting_a_claim_releases_a_retained_volume_and_deletes_a_provisioned_one(cluster):
    """Static (Retain) volumes become Released; dynamically provisioned (Delete) ones disappear."""
    ok(cluster, "kubectl apply -f -", VOLUME.format(name="keep", size="1Gi"))
    ok(cluster, "kubectl apply -f -", CLAIM.format(name="a", mode="ReadWriteOnce", cls="", size="1Gi"))
    ok(
        cluster,
        "kubectl apply -f -",
        CLAIM.format(name="b", mode="ReadWriteOnce", cls="standard", size="1Gi"),
    )
    provisioned = get(cluster, "pvc b")[0]["spec"]["volumeName"]
    assert provisioned.startswith("pvc-")
    ok(cluster, "kubectl delete pvc a b")
    assert get(cluster, "pv keep")[0]["status"]["phase"] == "Released"
    assert provisioned not in ok(cluster, "kubectl get pv").output


def test_a_pod_with_an_unbound_claim_is_not_scheduled(cluster):
    """A pod mounting a Pending claim stays Pending with `pod has unbound immediate PersistentVolumeClaims`."""
    ok(cluster, "kubectl apply -f -", CLAIM.format(name="c", mode="ReadWriteMany", cls="", size="1Gi"))
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx:1.20, "
        "volumeMounts: [{name: d, mountPath: /d}]}]\n  volumes: [{name: d, persistentVolumeClaim: {claimName: c}}]\n"
    )
    events = ok(cluster, "kubectl apply -f -", pod).events
    assert any("pod has unbound immediate PersistentVolumeClaims" in e["message"] for e in events)
