"""Editor buffers read in place of the files: the overlay itself, and a whole scan through it."""

from __future__ import annotations

import pathlib
import threading

from linter.discover.overlay import buffer, buffers_in, overlaid, read_bytes
from linter.options import ScanOptions
from linter.pipeline import scan

INSTANCE = """resource "aws_instance" "web" {
  ami                  = "ami-0abcdef1234567890"
  iam_instance_profile = "web"
  metadata_options {
    http_tokens = var.tokens
  }
}
"""
VARIABLES = 'variable "tokens" {\n  default = "%s"\n}\n'


def write(path: pathlib.Path, text: str) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_buffer_is_read_in_place_of_its_file_only_inside_the_block(
        tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "main.tf", "on disk")
    with overlaid({str(path): b"in the editor"}):
        assert read_bytes(path) == b"in the editor"
        assert buffer(tmp_path / "." / "main.tf") == b"in the editor"
        assert read_bytes(write(tmp_path / "other.tf", "other")) == b"other"
    assert read_bytes(path) == b"on disk"
    assert buffer(path) is None


def test_a_buffer_is_found_through_a_symlink(tmp_path: pathlib.Path) -> None:
    real = write(tmp_path / "real" / "main.tf", "disk")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    with overlaid({str(real): b"buffer"}):
        assert read_bytes(tmp_path / "link" / "main.tf") == b"buffer"


def test_the_overlay_belongs_to_the_thread_that_set_it(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "main.tf", "disk")
    seen: list[bytes] = []
    with overlaid({str(path): b"buffer"}):
        thread = threading.Thread(target=lambda: seen.append(read_bytes(path)))
        thread.start()
        thread.join()
    assert seen == [b"disk"]


def test_buffers_in_a_directory_tell_two_texts_apart(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "app" / "main.tf", "")
    assert buffers_in(tmp_path / "app") == ()
    with overlaid({str(path): b"one"}):
        first = buffers_in(tmp_path / "app")
        assert buffers_in(tmp_path) == ()
    with overlaid({str(path): b"two"}):
        assert buffers_in(tmp_path / "app") != first
        assert [name for name, _ in first] == ["main.tf"]


def test_a_scan_evaluates_unsaved_buffers_with_the_rest_of_the_module_from_disk(
        tmp_path: pathlib.Path) -> None:
    main = write(tmp_path / "main.tf", INSTANCE)
    variables = write(tmp_path / "variables.tf", VARIABLES % "required")
    options = ScanOptions(select=("IAC0101",))

    def lines() -> list[tuple[str, int]]:
        result = scan([str(main), str(variables)], options, root=tmp_path)
        return [(f.span.file, f.span.start_line) for f in result.findings
                if f.suppression is None]

    assert lines() == []  # the parse cache now holds the files as on disk
    with overlaid({str(variables): (VARIABLES % "optional").encode()}):
        assert lines() == [("main.tf", 5)]  # not the cached parse of the disk
    assert lines() == []
    suppressed = INSTANCE.replace("    http_tokens", "    # iaclint:ignore IAC0101 reason=\"x\"\n"
                                  "    http_tokens")
    with overlaid({str(variables): (VARIABLES % "optional").encode(),
                   str(main): suppressed.encode()}):
        assert lines() == []  # the suppression comment is read from the buffer too


def test_nested_blocks_of_the_same_or_other_buffers(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "main.tf", "disk")
    outer = {str(path): b"outer"}
    with overlaid(outer):
        with overlaid(outer):  # the same mapping again (a scan inside the server's job)
            assert read_bytes(path) == b"outer"
        assert read_bytes(path) == b"outer"
        with overlaid({str(path): b"inner"}):
            assert read_bytes(path) == b"inner"
        assert read_bytes(path) == b"outer"
    assert read_bytes(path) == b"disk"


def test_a_resolved_lookup_takes_the_path_as_it_is(tmp_path: pathlib.Path) -> None:
    real = write(tmp_path / "real" / "main.tf", "disk")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    with overlaid({str(real): b"buffer"}):
        assert buffer(real.resolve(), resolved=True) == b"buffer"
        assert buffer(tmp_path / "link" / "main.tf") == b"buffer"  # resolved here
