"""`nslookup`, `wget` and `curl` inside a container: cluster DNS and HTTP through kube-proxy.

`nslookup` answers from cluster DNS (`<svc>.<ns>.svc.cluster.local`, search path of the pod's namespace);
`wget`/`curl` resolve a Service name or ClusterIP, let kube-proxy pick one ready endpoint, and ask the program
running in the chosen pod for the page (`images.http_response`). Messages are busybox's (`wget: bad address
'x'`) and curl's (`curl: (6) Could not resolve host: x`).
"""

from __future__ import annotations

DNS_HEAD = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n"


def lookup(c, pod: dict | None, name: str):
    """Returns (fqdn, [ips]) for a DNS name as cluster DNS resolves it from the pod, or None (NXDOMAIN);
    the rules are in `dns.py`."""
    if pod is None or c is None:
        return None
    from .dns import resolve

    return resolve(c, pod, name)


def nslookup(m, argv, proc):
    """busybox nslookup HOST."""
    names = [a for a in argv[1:] if not a.startswith("-")]
    if not names:
        m.err("Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n")
        return 1
    found = lookup(m.c, m.pod, names[0])
    if found is None:
        from .dns import candidates

        # busybox names a dotted name as typed, a bare name with the first search domain appended
        name = names[0].rstrip(".")
        shown = name if "." in name or not m.pod else candidates(m.pod, name)[0]
        m.out(DNS_HEAD + f"\n** server can't find {shown}: NXDOMAIN\n\n")
        return 1
    fqdn, ips = found
    m.out(DNS_HEAD + "\n" + "\n".join(f"Name:\t{fqdn}\nAddress: {ip}" for ip in ips) + "\n\n")
    return 0


def fetch(m, url: str):
    """Returns ("ok", status, body, host, port) or (error kind, message-host, port) for an HTTP GET."""
    from . import images

    c, pod = m.c, m.pod
    target = url.split("://", 1)[-1]
    hostport, _, path = target.partition("/")
    host, _, port = hostport.partition(":")
    path = "/" + path
    if host in ("localhost", "127.0.0.1") and m.container is not None:
        body = images.local_response(m, int(port) if port.isdigit() else 80, path)
        if body is None:
            return ("refused", host, int(port) if port.isdigit() else 80)
        return ("ok", body[0], body[1], host, port)
    svc = None
    found = lookup(c, pod, host)
    ip = found[1][0] if found else host
    if c is not None and pod is not None:
        for s in c.store.list("Service"):
            if s["spec"].get("clusterIP") == ip:
                svc = s
        if svc is None and (found or ip.count(".") == 3):
            # a pod IP (a headless Service's record, `<hostname>.<subdomain>`, or typed): no kube-proxy hop
            target_pod = next(
                (p for p in c.store.list("Pod") if (p.get("status") or {}).get("podIP") == ip), None
            )
            if target_pod is not None:
                want = int(port) if port.isdigit() else 80
                if not images.pod_listens(c, target_pod, want):
                    return ("refused", host, want)
                chosen = {"ip": ip, "targetRef": {"kind": "Pod", "name": target_pod["metadata"]["name"]}}
                status, body = images.pod_response(c, target_pod, chosen, path, want)
                return ("ok", status, body, host, want)
    if svc is None:
        return ("resolve", host, port)
    ports = [p["port"] for p in svc["spec"].get("ports") or []]
    want = int(port) if port.isdigit() else (ports[0] if ports and not port else 80)
    if want not in ports:
        return ("refused", host, want)
    chosen = c.kube_proxy.route(svc["metadata"]["namespace"], svc["metadata"]["name"])
    if chosen is None:
        return ("refused", host, want)
    if chosen.get("timeout"):
        return ("timeout", host, want)
    target_pod = c.api.get("Pod", svc["metadata"]["namespace"], chosen["targetRef"]["name"])
    status, body = images.pod_response(c, target_pod, chosen, path)
    return ("ok", status, body, host, want)


def wget(m, argv, proc):
    """busybox wget [-q] [-O FILE|-O-] [-T SECONDS] URL."""
    args = argv[1:]
    quiet, out, urls, spider = False, None, [], False
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-q", "--quiet"):
            quiet = True
        elif a == "-qO-" or a == "-qO" and i + 1 < len(args) and args[i + 1] == "-":
            quiet, out = True, "-"
            i += 1 if a == "-qO" else 0
        elif a in ("-O", "-T", "--timeout", "-U"):
            if i + 1 >= len(args):
                m.err(f"wget: option requires an argument -- '{a.lstrip('-')[:1]}'\n")
                return 1
            if a == "-O":
                out = args[i + 1]
            i += 1
        elif a.startswith("-O"):
            out = a[2:]
        elif a.startswith("-T") or a.startswith("--timeout="):
            pass
        elif a == "--spider":
            spider = True
        elif a.startswith("-"):
            pass
        else:
            urls.append(a)
        i += 1
    if not urls:
        m.err(
            "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] "
            "[-O FILE] [-o LOGFILE] [--header STR] [-T SEC] URL...\n"
        )
        return 1
    url = urls[0]
    res = fetch(m, url)
    kind = res[0]
    if kind == "resolve":
        m.err(f"wget: bad address '{res[1]}'\n")
        return 1
    if kind == "refused":
        m.err("wget: can't connect to remote host: Connection refused\n")
        return 1
    if kind == "timeout":
        m.err("wget: download timed out\n")
        return 1
    _, status, body, host, port = res
    if not quiet:
        m.err(
            f"Connecting to {host}{':' + str(port) if port not in ('', 80, '80') else ''} ({host}:{port or 80})\n"
        )
    if status >= 400:
        m.err(f"wget: server returned error: HTTP/1.1 {status} {_REASONS.get(status, '')}\n")
        return 1
    if spider:
        return 0
    if out == "-":
        m.out(body)
        return 0
    name = out or (url.rstrip("/").rsplit("/", 1)[-1] if url.count("/") > 2 else "index.html") or "index.html"
    problem = m.fs.write(m.path(name), body)
    if problem:
        m.err(f"wget: can't open '{name}': {problem}\n")
        return 1
    if not quiet:
        m.err(
            f"saving to '{name}'\n{name}             100% |********************************|  {len(body)}  0:00:00 ETA\n"
            f"'{name}' saved\n"
        )
    return 0


_REASONS = {200: "OK", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}


def curl(m, argv, proc):
    """curl [-s] [-i] [-f] [-o FILE] [-m SECONDS] URL."""
    args = argv[1:]
    urls, out, fail, include = [], None, False, False
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-o", "-m", "--max-time", "--connect-timeout", "-H", "-X", "-d", "-w"):
            if a == "-o" and i + 1 < len(args):
                out = args[i + 1]
            i += 2
            continue
        if a.startswith("-") and not a.startswith("--"):
            fail = fail or "f" in a
            include = include or "i" in a
        elif not a.startswith("-"):
            urls.append(a)
        i += 1
    if not urls:
        m.err("curl: try 'curl --help' or 'curl --manual' for more information\n")
        return 2
    res = fetch(m, urls[0])
    kind = res[0]
    if kind == "resolve":
        m.err(f"curl: (6) Could not resolve host: {res[1]}\n")
        return 6
    if kind == "refused":
        m.err(
            f"curl: (7) Failed to connect to {res[1]} port {res[2]} after 0 ms: Couldn't connect to server\n"
        )
        return 7
    if kind == "timeout":
        m.err(
            f"curl: (28) Failed to connect to {res[1]} port {res[2]} after 130000 ms: Connection timed out\n"
        )
        return 28
    _, status, body, _, _ = res
    if fail and status >= 400:
        m.err(f"curl: (22) The requested URL returned error: {status}\n")
        return 22
    if include:
        body = f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\n\r\n" + body
    if out:
        problem = m.fs.write(m.path(out), body)
        return 23 if problem else 0
    m.out(body)
    return 0
