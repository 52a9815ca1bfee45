from pathlib import Path

import pytest

from tip_pipeline import config

README = Path(__file__).parents[1] / "README.md"


def test_readme_documents_every_setting_with_its_default():
    text = README.read_text(encoding="utf-8")
    for setting in config.SETTINGS:
        default = f"`{setting.default}`" if setting.default else "none"
        row = f"| `{setting.name}` | {default} | {setting.description} |"
        assert row in text, f"README's environment table is missing or stale for {setting.name}"


def test_environment_overrides_default(monkeypatch):
    monkeypatch.setenv("TIP_DATA_DIR", "/elsewhere")
    assert config.DATA_DIR.value() == "/elsewhere"
    monkeypatch.setenv("TIP_DATA_DIR", "")
    assert config.DATA_DIR.value() == "data_sources"


def test_a_path_setting_without_a_default_is_required(monkeypatch, tmp_path):
    from tip_pipeline.config import PSEUDONYM_KEY_FILE

    monkeypatch.delenv(PSEUDONYM_KEY_FILE.name, raising=False)
    assert PSEUDONYM_KEY_FILE.path(tmp_path / "k", ValueError) == tmp_path / "k"
    with pytest.raises(ValueError, match=f"^{PSEUDONYM_KEY_FILE.name} is not set$"):
        PSEUDONYM_KEY_FILE.path(None, ValueError)
    monkeypatch.setenv(PSEUDONYM_KEY_FILE.name, str(tmp_path / "named"))
    assert PSEUDONYM_KEY_FILE.path(None, ValueError) == tmp_path / "named"
