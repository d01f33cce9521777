"""The TLS listening endpoint of the clusters' Kubernetes API, for `make run`.

`python -m config.kubeapi_tls HOST API_PORT` makes sure the certificate authority and the serving certificate
exist in var/tls (visualizer.kubeapi.tls: created on first run, re-issued when a new LAN address appears)
and prints the Twisted endpoint string Daphne listens on (`ssl:port=6443:interface=…:privateKey=…:certKey=…`),
so `make run` serves the site on PORT and the API over HTTPS on API_PORT from one process, with no setup.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from config import lan
from visualizer.kubeapi import tls

BASE_DIR = Path(__file__).resolve().parent.parent
TLS_DIR = BASE_DIR / "var" / "tls"


def certificate_hosts(bind_host: str) -> list[str]:
    """Returns the names and addresses the serving certificate must carry for a server bound to `bind_host`:
    the loopback ones always (tls.ensure adds them), this machine's name, and its LAN addresses when the
    server is reachable beyond loopback."""
    hosts = [socket.gethostname()]
    if lan.binds_beyond_loopback(bind_host):
        addresses = lan.reachable_addresses(bind_host)
        hosts += addresses + lan.lan_host_names(addresses, socket.gethostname())
    else:
        hosts.append(lan.bare_host(bind_host))
    return [h for h in hosts if h and h not in lan.WILDCARDS]


def _escape(text: str) -> str:
    """Escapes `:` and `\\` for a Twisted endpoint description."""
    return text.replace("\\", "\\\\").replace(":", "\\:")


def endpoint(bind_host: str, port: int, directory: Path = TLS_DIR) -> str:
    """Ensures the certificates and returns Daphne's `-e` endpoint for the API (TLS on `port`)."""
    bundle = tls.ensure(directory, certificate_hosts(bind_host))
    interface = lan.bare_host(bind_host) or "127.0.0.1"
    return (
        f"ssl:port={port}:interface={_escape(interface)}:privateKey={_escape(str(bundle.key_file))}"
        f":certKey={_escape(str(bundle.cert_file))}"
    )


def main(argv: list[str]) -> int:
    host, port = (argv + ["127.0.0.1", "6443"])[:2]
    print(endpoint(host, int(port)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
