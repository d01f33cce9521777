"""The simulated registry: image reference parsing and the catalogue of known tags."""

import random

from visualizer.engine.registry import CATALOGUE, parse_image, pull_seconds


def test_short_names_resolve_to_docker_hub_library():
    """`nginx` means docker.io/library/nginx:latest; a tag is kept."""
    ref = parse_image("nginx")
    assert (ref.repository, ref.tag, ref.full) == (
        "library/nginx",
        "latest",
        "docker.io/library/nginx:latest",
    )
    assert parse_image("nginx:1.20").short == "nginx:1.20"


def test_the_catalogue_knows_the_lesson_images():
    """nginx 1.19–1.27, httpd, redis, mysql, busybox and wordpress exist; typos and unknown tags do not."""
    for image in [f"nginx:1.{m}" for m in range(19, 28)] + [
        "httpd:2.4",
        "redis:7",
        "mysql:8.0",
        "busybox",
        "wordpress:6",
        "docker.io/library/nginx:1.25",
    ]:
        assert parse_image(image).exists, image
    assert not parse_image("ngnix:1.20").exists
    assert not parse_image("nginx:1.99").exists
    assert parse_image("registry.k8s.io/hpa-example").exists


def test_invalid_references_are_reported():
    """Upper-case repositories are an invalid reference format."""
    assert "lowercase" in parse_image("NGINX")
    assert isinstance(parse_image(""), str)


def test_pulls_take_longer_for_bigger_images():
    """A mysql pull takes longer than a busybox pull."""
    rng = random.Random(0)
    assert pull_seconds(parse_image("mysql:8.0"), rng) > pull_seconds(parse_image("busybox"), rng)
    assert CATALOGUE["library/mysql"].required_env


def test_names_normalise_as_docker_and_containerd_do():
    """`user/repo` is on Docker Hub, a first part with `.`/`:`/localhost is a registry host,
    index.docker.io is docker.io, and upper case is refused in distribution/reference's words."""
    assert parse_image("polinux/stress").full == "docker.io/polinux/stress:latest"
    assert parse_image("index.docker.io/library/redis:6.0.5").full == "docker.io/library/redis:6.0.5"
    assert parse_image("registry.k8s.io/pause:3.10").full == "registry.k8s.io/pause:3.10"
    assert parse_image("myhost:5000/team/app:1").name == "myhost:5000/team/app"
    assert (
        parse_image("NGINX") == "invalid reference format: repository name (library/NGINX) must be lowercase"
    )
    assert parse_image("nginx:") == "invalid reference format"


def test_the_docs_images_exist_with_their_tags():
    """Images that kubernetes.io examples use pull (a sample across the registries)."""
    for image in (
        "nginx:1.14.2",
        "nginx:1.16.1",
        "busybox:1.28",
        "registry.k8s.io/busybox",
        "registry.k8s.io/e2e-test-images/agnhost:2.40",
        "redis:6.0.5",
        "perl:5.34.0",
        "polinux/stress",
        "registry.k8s.io/nginx-slim:0.24",
        "registry.k8s.io/hpa-example",
        "mysql:9",
        "wordpress:6.2.1-apache",
        "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
        "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5",
        "gcr.io/google_samples/gb-frontend:v5",
        "registry.k8s.io/echoserver:1.10",
    ):
        assert parse_image(image).exists, image
    # The Deployment page's deliberate typo of a tag stays missing.
    assert not parse_image("nginx:1.161").exists


def test_legacy_k8s_gcr_io_names_are_served_by_registry_k8s_io():
    """k8s.gcr.io redirects to registry.k8s.io: the name is kept, the tags are registry.k8s.io's."""
    ref = parse_image("k8s.gcr.io/echoserver:1.4")
    assert ref.exists and ref.full == "k8s.gcr.io/echoserver:1.4"
    assert not parse_image("k8s.gcr.io/echoserver:9.9").exists


def test_digests_pin_the_manifest_the_kubelet_reports():
    """`name@sha256:…` pulls when the digest is that of a known tag (the imageID the kubelet reports)."""
    from visualizer.engine.registry import image_digest

    digest = image_digest("docker.io/library/nginx:1.14.2")
    ref = parse_image(f"nginx@{digest}")
    assert ref.exists and ref.tag == "1.14.2" and ref.reference == f"docker.io/library/nginx@{digest}"
    assert not parse_image("nginx@sha256:" + "0" * 64).exists


def test_pull_time_follows_the_compressed_size():
    """latency + size / bandwidth (+ jitter below jitter_seconds), to 0.1 s."""
    from visualizer.engine.registry import PULL

    for image in ("busybox:1.28", "nginx:1.14.2", "perl:5.34.0"):
        ref = parse_image(image)
        base = PULL["latency_seconds"] + ref.size_bytes / PULL["bandwidth_bytes_per_second"]
        took = pull_seconds(ref, random.Random(3))
        assert base - 0.05 <= took <= base + PULL["jitter_seconds"] + 0.05
    assert parse_image("perl:5.34.0").size_bytes > 100 * parse_image("busybox:1.28").size_bytes


def test_kubelet_words_for_pulls():
    """Go durations truncated to ms; the Pulled and Failed texts of image_manager.go and containerd."""
    from visualizer.engine.registry import go_duration, pull_error, pulled_message

    assert [go_duration(s) for s in (0, 0.78, 1.5, 2.7361, 65.25)] == [
        "0s",
        "780ms",
        "1.5s",
        "2.736s",
        "1m5.25s",
    ]
    assert pulled_message("nginx:1.14.2", 2.736, 2.736, 44700000) == (
        'Successfully pulled image "nginx:1.14.2" in 2.736s (2.736s including waiting). Image size: 44700000 '
        "bytes."
    )
    assert pull_error(parse_image("nginx:1.99")) == (
        'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.99": '
        'failed to resolve reference "docker.io/library/nginx:1.99": docker.io/library/nginx:1.99: not found'
    )
    assert "pull access denied, repository does not exist" in pull_error(parse_image("ngnix"))


def test_sim_images_lists_repositories_and_one_repositorys_tags():
    """`sim images` gives one line per repository; `sim images NAME` every tag with its size."""
    from visualizer.engine import Cluster

    c = Cluster(workers=1)
    listing = c.run("sim images").output
    assert (
        "nginx (docker.io, " in listing
        and "registry.k8s.io/hpa-example (registry.k8s.io, 1 tag): latest" in listing
    )
    tags = c.run("sim images nginx").output.splitlines()
    assert tags[0].startswith("docker.io/library/nginx: ") and "1.14.2  44700000 bytes" in tags
    result = c.run("sim images ngnix")
    assert not result.ok and result.output == "sim images: no repository 'ngnix' in the simulated registry"
