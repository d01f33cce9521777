"""The REST face's request handlers are plain Python like the engine: answering requests imports no Django,
Channels or asyncio (the transport, the only edge that does, lives in visualizer/kubeapi/transport.py)."""

import subprocess
import sys


def test_answering_api_requests_imports_no_django_channels_or_asyncio():
    code = (
        "import sys\n"
        "from visualizer.engine import Cluster\n"
        "from visualizer.kubeapi import server\n"
        "from visualizer.kubeapi.context import ApiContext\n"
        "from visualizer.kubeapi.http import ApiRequest\n"
        "ctx = ApiContext(Cluster())\n"
        "for path in ('/version', '/api', '/apis', '/api/v1', '/openapi/v3', '/api/v1/namespaces/default/pods',"
        " '/apis/apps/v1/deployments', '/apis/metrics.k8s.io/v1beta1/nodes'):\n"
        "    server.handle(ctx, ApiRequest('GET', path))\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'channels', 'asyncio'))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
