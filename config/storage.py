"""Static file storage: hashed, compressed (gzip + brotli) names, with ES module imports rewritten too."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # Rewrite `import ... from "./x.js";` so hashed modules import hashed modules (long-cacheable).
    support_js_module_import_aggregation = True
