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
