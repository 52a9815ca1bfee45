"""Files written whole: the target is replaced only when writing succeeds, and no temporary
file is left either way."""

from pathlib import Path

import pytest

from tip_pipeline.atomic import written_whole


def test_the_target_is_replaced_when_writing_succeeds(tmp_path: Path):
    target = tmp_path / "out" / "report.html"
    with written_whole(target) as temporary:
        assert temporary.parent == target.parent and temporary.suffix == ".html"
        temporary.write_text("new")
    assert target.read_text() == "new"
    assert list(target.parent.iterdir()) == [target]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path):
    target = tmp_path / "report.html"
    target.write_text("old")
    with pytest.raises(OSError), written_whole(target) as temporary:
        temporary.write_text("half")
        raise OSError("no space left on device")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]
