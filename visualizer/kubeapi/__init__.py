"""The Kubernetes REST face of a toy cluster: what the real kubectl v1.37 talks to.

Plain synchronous Python over one engine `Cluster` (no Django, no asyncio): `server.handle(ctx, request)`
answers one HTTP request as a real kube-apiserver would (discovery, OpenAPI, Table printing, reads, writes,
patches, subresources, watches, Status errors), so it is testable without a web server. The ASGI adapter in
`visualizer.kubeapi_asgi` carries requests to it over TLS and keeps watches, followed logs and exec
streams open. What kubectl sends and needs is in ../shared/reference/kubernetes-api-and-kinds.md, Part A.
"""
