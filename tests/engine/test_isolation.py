"""The engine is pure Python: importing it pulls in no Django, Channels or asyncio."""

import subprocess
import sys


def test_importing_the_engine_imports_no_django_channels_or_asyncio():
    """Importing visualizer.engine in a fresh interpreter loads none of django, channels, asyncio."""
    code = (
        "import sys; import visualizer.engine; from visualizer.engine import Cluster; "
        "c = Cluster(); c.run('kubectl create deployment web --image=nginx:1.20'); c.advance(5); c.snapshot(); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'channels', 'asyncio')); print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
