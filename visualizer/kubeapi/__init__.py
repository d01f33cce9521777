"""The Kubernetes REST face of a toy cluster: what the real kubectl v1.37 talks to.

Plain synchronous Python over one engine `Cluster` (no Django, no asyncio): `server.handle(ctx, request)`
answers one HTTP request as a real kube-apiserver would (discovery, OpenAPI, Table printing, reads, writes,
patches, subresources, watches, Status errors), so it is testable without a web server. The edges are
`transport.py` (ASGI: tokens, limits, the owner process, open streams) and `exec_socket.py` (exec and attach
over a websocket); `tls.py` and `kubeconfig.py` make what a client needs to connect. What kubectl sends and needs is in ../shared/reference/kubernetes-api-and-kinds.md, Part A.
"""
