"""Loopback or classroom LAN: where the server listens, and the addresses other machines can use to reach it.

`make run` passes its HOST to the app as BIND_HOST. A loopback bind (the default, 127.0.0.1) is a developer
at their own machine: DEBUG may stay on. Anything else (`make run HOST=0.0.0.0`) serves a classroom, where a
traceback or a public key would be read by students, so the settings switch to production mode and answer to
this machine's LAN addresses (`reachable_addresses`). Pure functions over plain values except
`interface_addresses`, which asks the operating system (psutil, portable to Linux, macOS and Windows).
`python -m config.lan HOST PORT` prints the addresses to open, for `make run`.
"""

from __future__ import annotations

import ipaddress
import socket
import sys

WILDCARDS = {"0.0.0.0", "::", "[::]", "*"}
LOOPBACK_NAMES = {"localhost", "ip6-localhost", "ip6-loopback"}
# Interfaces that only this machine's containers and virtual machines sit on: students are never there.
VIRTUAL_PREFIXES = (
    "docker",
    "br-",
    "veth",
    "virbr",
    "vmnet",
    "vboxnet",
    "lxc",
    "lxd",
    "cni",
    "flannel",
    "podman",
)


def bare_host(host: str) -> str:
    """Return `host` without IPv6 brackets, lower-cased (`[::1]` → `::1`)."""
    host = (host or "").strip().lower()
    if host.startswith("[") and host.endswith("]"):
        return host[1:-1]
    return host


def is_loopback(host: str) -> bool:
    """Return whether `host` (a name or an IP address, IPv6 with or without brackets) is this machine only."""
    name = bare_host(host)
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def binds_beyond_loopback(bind_host: str) -> bool:
    """Return whether a server bound to `bind_host` can be reached from other machines.

    An empty `bind_host` means "not told" (the app started by something other than `make run`): treated as
    loopback, the development default.
    """
    return bool((bind_host or "").strip()) and not is_loopback(bind_host)


def url_host(address: str) -> str:
    """Return the address as it goes in a URL or a Host header: IPv6 in brackets."""
    bare = bare_host(address)
    return f"[{bare}]" if ":" in bare else bare


def _lan_rank(address: str, interface: str) -> tuple[int, int, str] | None:
    """Return the sort key of a candidate address (lower is better), or None when students cannot use it."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_unspecified:
        return None
    virtual = interface.lower().startswith(VIRTUAL_PREFIXES)
    # Classroom networks are private IPv4 (192.168/16 most often); IPv6 works but is long to type.
    family = 0 if ip.version == 4 else 1
    return (int(virtual), family * 2 + int(not ip.is_private), str(ip))


def rank_addresses(candidates: list[tuple[str, str]]) -> list[str]:
    """Return the usable addresses of `(address, interface name)` pairs, best first, without duplicates.

    Loopback, link-local (169.254/16, fe80::/10, which need a zone to use) and multicast addresses are dropped;
    physical interfaces come before container bridges (docker0, br-…); IPv4 before IPv6; private before
    public. The first one is what the join QR code shows.
    """
    ranked: dict[str, tuple] = {}
    for address, interface in candidates:
        key = _lan_rank(address, interface)
        if key is not None:
            bare = str(ipaddress.ip_address(address.split("%", 1)[0]))
            ranked[bare] = min(key, ranked.get(bare, key))
    return sorted(ranked, key=ranked.__getitem__)


def interface_addresses() -> list[tuple[str, str]]:
    """Return `(address, interface name)` for every IPv4/IPv6 address of this machine's interfaces that are up."""
    import psutil  # only here: the pure functions above stay importable without it

    stats = psutil.net_if_stats()
    found = []
    for name, addresses in psutil.net_if_addrs().items():
        if name in stats and not stats[name].isup:
            continue
        for entry in addresses:
            if entry.family in (socket.AF_INET, socket.AF_INET6):
                found.append((entry.address, name))
    return found


def reachable_addresses(bind_host: str, candidates: list[tuple[str, str]] | None = None) -> list[str]:
    """Return the addresses other machines can reach a server bound to `bind_host` at, best first.

    A wildcard bind is reachable at every LAN address of this machine of its family (0.0.0.0: IPv4 only;
    :: and *: IPv6 and, dual-stack, IPv4); a specific address only at itself; loopback at none.
    `candidates` defaults to `interface_addresses()`.
    """
    if not binds_beyond_loopback(bind_host):
        return []
    bind = bare_host(bind_host)
    if bind not in {bare_host(w) for w in WILDCARDS}:
        return [bind]
    ranked = rank_addresses(interface_addresses() if candidates is None else candidates)
    return [a for a in ranked if ":" not in a] if bind == "0.0.0.0" else ranked


def lan_host_names(addresses: list[str], hostname: str) -> list[str]:
    """Return ALLOWED_HOSTS entries for a server reached at `addresses`: each address, the machine's name
    and its mDNS name (`name.local`, which phones resolve on most home and school networks)."""
    names = [url_host(a) for a in addresses]
    short = (hostname or "").strip().lower().split(".", 1)[0]
    if short and short != "localhost":
        names += [short, f"{short}.local"]
    return list(dict.fromkeys(names))


def main(argv: list[str]) -> int:
    """Print where `make run HOST PORT` can be opened: this machine, and the classroom when beyond loopback."""
    host, port = (argv + ["127.0.0.1", "8000"])[:2]
    api_port = argv[2] if len(argv) > 2 else None
    local = "127.0.0.1" if bare_host(host) in {bare_host(w) for w in WILDCARDS} else url_host(host)
    print(f"Orchestra Lab: http://{local}:{port}/  (이 컴퓨터 · this computer)")
    if api_port:
        print(
            f"  Kubernetes API (내 kubectl · your own kubectl): https://{local}:{api_port}/k8s/<cluster>/"
            "  — kubeconfig: 클러스터 페이지의 '내 kubectl로 연결' · the cluster page's button"
        )
    if not binds_beyond_loopback(host):
        print("  학생 기기에서는 열리지 않습니다. 교실 LAN에 열려면: make run HOST=0.0.0.0")
        print("  Students cannot reach this address. To serve the classroom LAN: make run HOST=0.0.0.0")
        return 0
    addresses = reachable_addresses(host)
    if not addresses:
        print("  LAN 주소를 찾지 못했습니다: 네트워크 연결을 확인하세요. · No LAN address found.")
    for address in addresses:
        print(f"  학생 · students: http://{url_host(address)}:{port}/class/")
    print("  운영 모드 (DEBUG 꺼짐) · production mode (DEBUG off)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
