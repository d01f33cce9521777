#!/usr/bin/env python3
"""Refresh the simulated registry's catalogue (visualizer/engine/data/images.json) from the real registries.

Why: the toy cluster must pull exactly the images a real cluster can pull — the tags the kubernetes.io
examples use, and not a typo. This script reads, for every repository already in the file:

- Docker Hub repositories (`docker.io`) through the Hub's tags API,
  `https://hub.docker.com/v2/repositories/<namespace>/<name>/tags?page_size=100` (paged by `next`); a tag's
  size is the linux/amd64 entry of `images[].size` (else `full_size`): the compressed size the kubelet
  prints as `Image size`;
- every other registry (registry.k8s.io, gcr.io, us-docker.pkg.dev, quay.io) through the OCI distribution
  API, `https://<host>/v2/<name>/tags/list` (paged by the `Link` header, anonymous bearer token when the
  registry asks for one); a tag's size is the linux/amd64 image manifest's config size plus its layer sizes,
  read with `GET /v2/<name>/manifests/<tag>` (an index is followed to its linux/amd64 manifest).

Tags kept: the tags already in the file that the registry still lists, plus new version-like tags
(`1.27.3`, `v1.33.1`, `6.2-alpine`, `lts`…; `--all-tags` keeps every tag). Each repository's `source`
records the API and the date; the header's `source.method` says the file was refreshed. A repository the
registry does not answer for keeps its entry and is reported.

Usage: `python scripts/refresh_images.py [--dry-run] [--only REPO ...] [--all-tags] [--no-sizes]`.
Offline, it stops before changing anything: `cannot reach hub.docker.com …`. Exit codes: 0 done, 1 some
repositories failed, 2 offline.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "visualizer" / "engine" / "data" / "images.json"
HUB = "https://hub.docker.com"
TIMEOUT = 20
MANIFEST_TYPES = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )
)
_VERSION_TAG = re.compile(r"^v?\d+(\.\d+){0,3}(-\d+)?(-(alpine|slim|apache|management|musl|glibc|uclibc))?$")
_NAMED_TAGS = {"latest", "stable", "mainline", "lts", "alpine", "slim", "current", "management", "edge"}


class Offline(Exception):
    """The registry could not be reached at all (no network, DNS failure, refused connection)."""


# ------------------------------------------------------------------------------------ response parsing
def parse_hub_page(page: dict) -> tuple[dict[str, int | None], str | None]:
    """Returns ({tag: compressed linux/amd64 size in bytes or None}, next page URL) from one page of the
    Docker Hub tags API (`{"count", "next", "previous", "results": [{"name", "full_size", "images": [{
    "architecture", "os", "size", "digest"}…]}…]}`)."""
    tags: dict[str, int | None] = {}
    for result in page.get("results") or []:
        name = result.get("name")
        if not isinstance(name, str):
            continue
        size = None
        for image in result.get("images") or []:
            if image.get("os") == "linux" and image.get("architecture") == "amd64" and image.get("size"):
                size = int(image["size"])
                break
        if size is None and result.get("full_size"):
            size = int(result["full_size"])
        tags[name] = size
    return tags, page.get("next") or None


def parse_oci_tags(body: dict) -> tuple[list[str], dict[str, int]]:
    """Returns (tags, {tag: size}) from an OCI `tags/list` answer (`{"name", "tags": […]}`); the sizes come
    from the `manifest` map that gcr.io and registry.k8s.io add (`{digest: {"imageSizeBytes", "mediaType",
    "tag": […]}}`), only for single-platform manifests (an index's own figure is not an image size)."""
    tags = [t for t in body.get("tags") or [] if isinstance(t, str)]
    sizes: dict[str, int] = {}
    for entry in (body.get("manifest") or {}).values():
        media = entry.get("mediaType", "")
        size = int(entry.get("imageSizeBytes") or 0)
        if size and "list" not in media and "index" not in media:
            for tag in entry.get("tag") or []:
                sizes[tag] = size
    return tags, sizes


def next_link(link_header: str | None, base: str) -> str | None:
    """Returns the absolute URL of `Link: </v2/x/tags/list?last=y&n=100>; rel="next"`, or None."""
    if not link_header:
        return None
    m = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', link_header)
    return urllib.parse.urljoin(base, m.group(1)) if m else None


def bearer_challenge(header: str) -> dict[str, str]:
    """Returns the parameters of `WWW-Authenticate: Bearer realm="…",service="…",scope="…"`."""
    if not header.lower().startswith("bearer "):
        return {}
    return dict(re.findall(r'(\w+)="([^"]*)"', header))


def pick_platform(index: dict, os_name: str = "linux", arch: str = "amd64") -> str | None:
    """Returns the digest of the linux/amd64 manifest of an image index / manifest list, or None."""
    for m in index.get("manifests") or []:
        platform = m.get("platform") or {}
        if platform.get("os") == os_name and platform.get("architecture") == arch:
            return m.get("digest")
    return None


def manifest_size(manifest: dict) -> int | None:
    """Returns the compressed size of an image manifest: its config blob plus its layers (what containerd
    reports as the image's size), or None for an index."""
    if "layers" not in manifest:
        return None
    config = (manifest.get("config") or {}).get("size") or 0
    return int(config) + sum(int(layer.get("size") or 0) for layer in manifest["layers"])


def keep_tag(tag: str, current: set[str], all_tags: bool) -> bool:
    """Returns True for tags the catalogue keeps: those it has, version-like ones, well-known names."""
    return all_tags or tag in current or tag in _NAMED_TAGS or bool(_VERSION_TAG.match(tag))


# --------------------------------------------------------------------------------------------- network
def _request(url: str, headers: dict | None = None) -> tuple[dict, dict]:
    """Returns (JSON body, response headers); raises Offline when the host cannot be reached."""
    req = urllib.request.Request(
        url, headers={"User-Agent": "orchestra-lab-refresh-images", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return json.loads(resp.read().decode()), dict(resp.headers)
    except urllib.error.HTTPError:
        raise
    except (urllib.error.URLError, OSError) as exc:
        raise Offline(f"cannot reach {urllib.parse.urlsplit(url).netloc} ({exc})") from exc


def _oci_get(host: str, path: str, url: str, headers: dict, tokens: dict) -> tuple[dict, dict]:
    """GETs a registry URL, fetching an anonymous pull token once when the registry answers 401."""
    auth = {"Authorization": f"Bearer {tokens[host]}"} if tokens.get(host) else {}
    try:
        return _request(url, {**headers, **auth})
    except urllib.error.HTTPError as exc:
        if exc.code != 401 or tokens.get(host):
            raise
        challenge = bearer_challenge(exc.headers.get("WWW-Authenticate", ""))
        if not challenge.get("realm"):
            raise
        query = {"service": challenge.get("service", host), "scope": f"repository:{path}:pull"}
        body, _ = _request(f"{challenge['realm']}?{urllib.parse.urlencode(query)}")
        tokens[host] = body.get("token") or body.get("access_token")
        return _request(url, {**headers, "Authorization": f"Bearer {tokens[host]}"})


def hub_tags(repository: str) -> dict[str, int | None]:
    """Returns every tag of a Docker Hub repository (`library/nginx`) with its linux/amd64 size."""
    url: str | None = f"{HUB}/v2/repositories/{repository}/tags?page_size=100"
    tags: dict[str, int | None] = {}
    while url:
        page, _ = _request(url)
        found, url = parse_hub_page(page)
        tags.update(found)
    return tags


def oci_tags(host: str, path: str, tokens: dict, sizes_wanted: bool, wanted) -> dict[str, int | None]:
    """Returns the tags of `<host>/<path>` kept by `wanted(tag)`, with sizes from the registry."""
    url: str | None = f"https://{host}/v2/{path}/tags/list?n=1000"
    tags: list[str] = []
    sizes: dict[str, int] = {}
    while url:
        body, headers = _oci_get(host, path, url, {}, tokens)
        found, found_sizes = parse_oci_tags(body)
        tags += found
        sizes |= found_sizes
        url = next_link(headers.get("Link") or headers.get("link"), url)
    out: dict[str, int | None] = {}
    for tag in (t for t in tags if wanted(t)):
        size = sizes.get(tag)
        if size is None and sizes_wanted:
            accept = {"Accept": MANIFEST_TYPES}
            manifest, _ = _oci_get(host, path, f"https://{host}/v2/{path}/manifests/{tag}", accept, tokens)
            digest = pick_platform(manifest)
            if digest:
                manifest, _ = _oci_get(
                    host, path, f"https://{host}/v2/{path}/manifests/{digest}", accept, tokens
                )
            size = manifest_size(manifest)
        out[tag] = size
    return out


# ------------------------------------------------------------------------------------------------ main
def refresh(data: dict, only: list[str], all_tags: bool, sizes_wanted: bool, today: str) -> tuple[dict, list]:
    """Returns (the refreshed catalogue, [(repository, error)]); raises Offline when no registry answers."""
    out = json.loads(json.dumps(data))
    failures: list[tuple[str, str]] = []
    tokens: dict[str, str] = {}
    for name, entry in out["repositories"].items():
        if only and name not in only:
            continue
        current = set(entry["tags"])
        registry = entry["registry"]
        try:
            if registry == "docker.io":
                found = hub_tags(name)
                source = f"hub.docker.com tags API ({HUB}/v2/repositories/{name}/tags), {today}"
                found = {t: s for t, s in found.items() if keep_tag(t, current, all_tags)}
            else:
                path = name.split("/", 1)[1]
                found = oci_tags(
                    registry,
                    path,
                    tokens,
                    sizes_wanted,
                    lambda t, current=current: keep_tag(t, current, all_tags),
                )
                source = f"OCI distribution API (https://{registry}/v2/{path}/tags/list + manifests), {today}"
        except urllib.error.HTTPError as exc:
            failures.append((name, f"HTTP {exc.code} {exc.reason}"))
            continue
        tags = {}
        for tag, size in found.items():
            tags[tag] = int(size) if size else int(entry["tags"].get(tag) or 0)
        entry["tags"] = dict(sorted(tags.items()))
        entry["source"] = source
    out["source"]["method"] = (
        f"Refreshed on {today} by scripts/refresh_images.py from the registries' APIs (see each repository's "
        "'source'); repositories it could not read keep their previous entry. Previously: "
        + data["source"]["method"].split(" Previously: ")[-1]
    )
    out["source"]["compiled"] = today
    return out, failures


def summary(old: dict, new: dict) -> list[str]:
    """Returns one line per repository whose tags changed: `nginx: +3 −1 (1.29.2, …)`."""
    lines = []
    for name, entry in new["repositories"].items():
        before, after = set(old["repositories"][name]["tags"]), set(entry["tags"])
        if before != after:
            added, removed = sorted(after - before), sorted(before - after)
            lines.append(f"{name}: +{len(added)} -{len(removed)} {', '.join(added[:8])}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    parser.add_argument("--only", nargs="*", default=[], help="repositories to refresh (catalogue keys)")
    parser.add_argument("--all-tags", action="store_true", help="keep every tag, not only version-like ones")
    parser.add_argument("--no-sizes", action="store_true", help="skip manifest reads (keep known sizes)")
    args = parser.parse_args(argv)
    data = json.loads(DATA.read_text(encoding="utf-8"))
    unknown = [r for r in args.only if r not in data["repositories"]]
    if unknown:
        print(f"error: not in the catalogue: {', '.join(unknown)}", file=sys.stderr)
        return 1
    today = datetime.date.today().isoformat()
    try:
        _request(f"{HUB}/v2/repositories/library/busybox/tags?page_size=1")
        new, failures = refresh(data, args.only, args.all_tags, not args.no_sizes, today)
    except Offline as exc:
        print(
            f"error: {exc}: this machine has no internet access to the registries; "
            f"{DATA.relative_to(ROOT)} was not changed",
            file=sys.stderr,
        )
        return 2
    for line in summary(data, new):
        print(line)
    for name, err in failures:
        print(f"warning: {name}: {err} (kept as it was)", file=sys.stderr)
    if not args.dry_run:
        DATA.write_text(json.dumps(new, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {DATA.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
