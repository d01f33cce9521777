"""scripts/i18n.py: the browser's catalog (static/js/i18n/en.js) is current and covers every t()/tn()."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_javascript_string_has_english_and_the_catalog_is_current():
    script = load_script()
    table = json.loads((ROOT / "locale" / "en" / "translations.json").read_text(encoding="utf-8"))
    msgids = script.js_msgids()
    assert "접속 중" in msgids and "마스터 노드 (Control Plane)" in msgids
    text, missing = script.js_catalog(table, msgids)
    assert missing == [], f"add English to locale/en/translations.json, then run scripts/i18n.py: {missing}"
    assert (ROOT / "static" / "js" / "i18n" / "en.js").read_text(encoding="utf-8") == text, (
        "static/js/i18n/en.js is stale: run scripts/i18n.py"
    )


def test_the_scanner_reads_only_literal_calls(tmp_path):
    script = load_script()
    (tmp_path / "a.js").write_text(
        'const a = t("하나");\nprint("둘");\nconst b = tn("마지막 접속 {n}분 전", 3);\nt(variable);\n'
        'x.t("셋 \\"따옴표\\"");\n',
        encoding="utf-8",
    )
    assert script.js_msgids(tmp_path) == ["하나", "마지막 접속 {n}분 전", '셋 "따옴표"']
    text, missing = script.js_catalog({"하나": "one", "하나|plural": "ones"}, ["하나", "없음"])
    assert missing == ["없음"] and '"하나|plural": "ones"' in text
