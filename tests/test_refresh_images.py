"""scripts/refresh_images.py reads the registries' two API shapes correctly, without touching the network.

The sample answers below follow the documented shapes of the Docker Hub tags API
(`/v2/repositories/<ns>/<name>/tags`) and the OCI distribution API (`/v2/<name>/tags/list` with gcr.io's
`manifest` extension, image indexes and image manifests); the values are examples, not recordings.
"""

import importlib.util
import json
import urllib.error
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("refresh_images", ROOT / "scripts" / "refresh_images.py")
refresh_images = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refresh_images)

HUB_PAGE_1 = {
    "count": 3,
    "next": "https://hub.docker.com/v2/repositories/library/nginx/tags?page=2&page_size=100",
    "previous": None,
    "results": [
        {
            "name": "1.14.2",
            "full_size": 44710204,
            "digest": "sha256:" + "1" * 64,
            "images": [
                {"architecture": "arm64", "os": "linux", "size": 43000000, "digest": "sha256:" + "2" * 64},
                {"architecture": "amd64", "os": "linux", "size": 44710204, "digest": "sha256:" + "3" * 64},
            ],
        },
        {"name": "1.14.2-perl", "full_size": 60000000, "images": []},
    ],
}
HUB_PAGE_2 = {
    "count": 3,
    "next": None,
    "previous": "https://hub.docker.com/v2/repositories/library/nginx/tags?page=1&page_size=100",
    "results": [
        {
            "name": "1.29.2",
            "full_size": 0,
            "images": [{"architecture": "amd64", "os": "linux", "size": 73200000}],
        }
    ],
}
OCI_TAGS = {
    "child": [],
    "manifest": {
        "sha256:" + "a" * 64: {
            "imageSizeBytes": "0",
            "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
            "tag": ["3.10"],
        },
        "sha256:" + "b" * 64: {
            "imageSizeBytes": "299513",
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "tag": ["3.1"],
        },
    },
    "name": "pause",
    "tags": ["3.1", "3.10", "sha256-" + "c" * 64 + ".sig"],
}
INDEX = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [
        {"digest": "sha256:" + "d" * 64, "platform": {"os": "linux", "architecture": "arm64"}},
        {"digest": "sha256:" + "e" * 64, "platform": {"os": "linux", "architecture": "amd64"}},
    ],
}
MANIFEST = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"size": 1500, "digest": "sha256:" + "f" * 64},
    "layers": [{"size": 300000}, {"size": 20000}],
}


def test_hub_pages_give_the_linux_amd64_size_and_the_next_page():
    """The amd64 image's size wins over full_size; `next` is followed; a tag without images uses full_size."""
    tags, nxt = refresh_images.parse_hub_page(HUB_PAGE_1)
    assert tags == {"1.14.2": 44710204, "1.14.2-perl": 60000000}
    assert nxt.endswith("page=2&page_size=100")
    assert refresh_images.parse_hub_page(HUB_PAGE_2) == ({"1.29.2": 73200000}, None)


def test_oci_tag_lists_take_sizes_only_from_single_platform_manifests():
    """gcr.io's manifest map gives 3.1's size; the index's figure for 3.10 is not an image size."""
    tags, sizes = refresh_images.parse_oci_tags(OCI_TAGS)
    assert tags[:2] == ["3.1", "3.10"]
    assert sizes == {"3.1": 299513}
    assert refresh_images.parse_oci_tags({"name": "x", "tags": None}) == ([], {})


def test_link_headers_challenges_indexes_and_manifests_parse():
    """Pagination links, bearer challenges, platform choice and manifest sizes."""
    base = "https://registry.k8s.io/v2/pause/tags/list?n=2"
    assert (
        refresh_images.next_link('</v2/pause/tags/list?last=3.1&n=2>; rel="next"', base)
        == "https://registry.k8s.io/v2/pause/tags/list?last=3.1&n=2"
    )
    assert refresh_images.next_link(None, base) is None
    assert refresh_images.bearer_challenge(
        'Bearer realm="https://quay.io/v2/auth",service="quay.io",scope="repository:x/y:pull"'
    ) == {"realm": "https://quay.io/v2/auth", "service": "quay.io", "scope": "repository:x/y:pull"}
    assert refresh_images.pick_platform(INDEX) == "sha256:" + "e" * 64
    assert refresh_images.manifest_size(MANIFEST) == 321500
    assert refresh_images.manifest_size(INDEX) is None


def test_kept_tags_are_known_ones_and_version_like_ones():
    """Signature artefacts and variant soup are left out unless --all-tags."""
    keep = refresh_images.keep_tag
    assert keep("1.29.2", set(), False) and keep("v1.33.1", set(), False) and keep("6.2-alpine", set(), False)
    assert keep("latest", set(), False) and keep("odd", {"odd"}, False)
    assert not keep("sha256-" + "c" * 64 + ".sig", set(), False) and not keep("1.27-perl", set(), False)
    assert keep("1.27-perl", set(), True)


def _catalogue():
    return {
        "source": {"method": "Compiled offline.", "compiled": "2026-11-30"},
        "pull": {},
        "repositories": {
            "library/nginx": {"registry": "docker.io", "source": "old", "tags": {"1.14.2": 1, "1.99": 5}},
            "registry.k8s.io/pause": {"registry": "registry.k8s.io", "source": "old", "tags": {"3.1": 1}},
        },
    }


def test_refresh_rewrites_tags_sizes_and_sources_from_both_apis(monkeypatch):
    """A full refresh against canned answers: new tags added, vanished ones dropped, sizes and sources set."""
    answers = {
        "https://hub.docker.com/v2/repositories/library/nginx/tags?page_size=100": HUB_PAGE_1,
        HUB_PAGE_1["next"]: HUB_PAGE_2,
        "https://registry.k8s.io/v2/pause/tags/list?n=1000": OCI_TAGS,
        "https://registry.k8s.io/v2/pause/manifests/3.10": INDEX,
        "https://registry.k8s.io/v2/pause/manifests/sha256:" + "e" * 64: MANIFEST,
    }
    monkeypatch.setattr(refresh_images, "_request", lambda url, headers=None: (answers[url], {}))
    old = _catalogue()
    new, failures = refresh_images.refresh(old, [], False, True, "2027-01-05")
    assert failures == []
    assert new["repositories"]["library/nginx"]["tags"] == {"1.14.2": 44710204, "1.29.2": 73200000}
    assert new["repositories"]["registry.k8s.io/pause"]["tags"] == {"3.1": 299513, "3.10": 321500}
    assert "hub.docker.com tags API" in new["repositories"]["library/nginx"]["source"]
    assert new["source"]["compiled"] == "2027-01-05" and "Refreshed on 2027-01-05" in new["source"]["method"]
    assert refresh_images.summary(old, new) == [
        "library/nginx: +1 -1 1.29.2",
        "registry.k8s.io/pause: +1 -0 3.10",
    ]


def test_a_registry_error_keeps_the_repository_and_is_reported(monkeypatch):
    """An HTTP error for one repository leaves its entry unchanged."""

    def fake(url, headers=None):
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(refresh_images, "_request", fake)
    old = _catalogue()
    new, failures = refresh_images.refresh(old, ["library/nginx"], False, True, "2027-01-05")
    assert failures == [("library/nginx", "HTTP 404 Not Found")]
    assert new["repositories"] == old["repositories"]


def test_offline_the_script_stops_with_a_clear_error_and_changes_nothing(monkeypatch, capsys, tmp_path):
    """Without internet it exits 2, says which host it could not reach, and leaves the file alone."""
    data = tmp_path / "images.json"
    data.write_text(json.dumps(_catalogue()))
    before = data.read_text()
    monkeypatch.setattr(refresh_images, "DATA", data)
    monkeypatch.setattr(refresh_images, "ROOT", tmp_path)

    def offline(url, headers=None):
        raise refresh_images.Offline("cannot reach hub.docker.com (Name or service not known)")

    monkeypatch.setattr(refresh_images, "_request", offline)
    assert refresh_images.main(["--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach hub.docker.com" in err and "no internet access" in err and "was not changed" in err
    assert refresh_images.main([]) == 2
    assert data.read_text() == before


@pytest.mark.parametrize("repo", ["library/nope"])
def test_only_names_must_be_in_the_catalogue(repo, capsys):
    """--only with an unknown repository is refused before any request."""
    assert refresh_images.main(["--dry-run", "--only", repo]) == 1
    assert "not in the catalogue" in capsys.readouterr().err
