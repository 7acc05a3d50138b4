"""Links a browser can follow (handover.links) and the loopback server behind them (handover.docs_server)."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from handover.docs_server import main as docs_server_main
from handover.docs_server import make_server
from handover.links import DOCS_ROOT_ENV, DOCS_URL_ENV, relative_href, served_url


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A project folder with one migration's work files, the served ones and the private ones."""
    work = tmp_path / "project" / ".handover" / "acme"
    (work / "data_docs" / "cleaned").mkdir(parents=True)
    (work / "data_docs" / "index.html").write_text("<h1>gates</h1>", encoding="utf-8")
    (work / "data_docs" / "cleaned" / "contact.html").write_text("<h1>cleaned contact</h1>", encoding="utf-8")
    (work / "data_docs" / "cleaned" / ".contact.html.1.tmp").write_text("half", encoding="utf-8")
    (work / "reports").mkdir()
    (work / "reports" / "reconciliation 报告.html").write_text("<h1>report</h1>", encoding="utf-8")
    (work / "staging.duckdb").write_bytes(b"customer data")
    (work / "reports" / "exports").mkdir()
    (work / "reports" / "exports" / "contacts.csv").write_text("customer data", encoding="utf-8")
    (work / "data_docs" / "staging.duckdb").write_bytes(b"customer data")
    (tmp_path / "project" / "secret.txt").write_text("not for the browser", encoding="utf-8")
    return work


def test_file_uri_without_a_docs_server(monkeypatch: pytest.MonkeyPatch, work: Path) -> None:
    monkeypatch.delenv(DOCS_URL_ENV, raising=False)
    page = work / "data_docs" / "cleaned" / "contact.html"
    assert served_url(page) == page.resolve().as_uri()


def test_http_url_under_the_served_root(monkeypatch: pytest.MonkeyPatch, work: Path) -> None:
    root = work.parent.parent
    monkeypatch.setenv(DOCS_URL_ENV, "http://127.0.0.1:3001/")
    monkeypatch.setenv(DOCS_ROOT_ENV, str(root))
    assert served_url(work / "data_docs" / "cleaned" / "contact.html") == "http://127.0.0.1:3001/.handover/acme/data_docs/cleaned/contact.html"
    # names are percent-encoded, so a report with a space or Chinese in its name still opens
    assert served_url(work / "reports" / "reconciliation 报告.html") == (
        "http://127.0.0.1:3001/.handover/acme/reports/reconciliation%20%E6%8A%A5%E5%91%8A.html")
    # what the server would refuse keeps its file URI: outside the root, or not a docs folder
    outside = root.parent / "elsewhere" / "data_docs" / "index.html"
    assert served_url(outside) == outside.resolve().as_uri()
    assert served_url(work / "staging.duckdb") == (work / "staging.duckdb").resolve().as_uri()


def test_docs_root_defaults_to_the_working_folder(monkeypatch: pytest.MonkeyPatch, work: Path) -> None:
    monkeypatch.setenv(DOCS_URL_ENV, "http://127.0.0.1:3001")
    monkeypatch.delenv(DOCS_ROOT_ENV, raising=False)
    monkeypatch.chdir(work)
    assert served_url("data_docs/index.html") == "http://127.0.0.1:3001/data_docs/index.html"


def test_relative_href(work: Path) -> None:
    assert relative_href(work / "data_docs" / "index.html", work / "reports") == "../data_docs/index.html"
    assert relative_href(work / "reports" / "reconciliation 报告.html", work / "reports") == "reconciliation%20%E6%8A%A5%E5%91%8A.html"


@pytest.fixture
def server(work: Path) -> Iterator[tuple[str, int]]:
    httpd = make_server(work.parent.parent, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[:2]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def _get(address: tuple[str, int], path: str) -> tuple[int, str]:
    """A GET with the path sent exactly as given (no client-side clean-up of '..')."""
    connection = http.client.HTTPConnection(*address, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


def test_server_serves_docs_and_reports(server: tuple[str, int]) -> None:
    assert _get(server, "/.handover/acme/data_docs/cleaned/contact.html") == (200, "<h1>cleaned contact</h1>")
    assert _get(server, "/.handover/acme/reports/reconciliation%20%E6%8A%A5%E5%91%8A.html") == (200, "<h1>report</h1>")
    assert _get(server, "/.handover/acme/data_docs/") == (200, "<h1>gates</h1>")
    status, landing = _get(server, "/")
    assert status == 200
    assert 'href="/.handover/acme/data_docs/index.html"' in landing
    assert "reconciliation%20%E6%8A%A5%E5%91%8A.html" in landing


@pytest.mark.parametrize("path", [
    "/.handover/acme/staging.duckdb",
    "/secret.txt",
    "/.handover/acme/data_docs/../staging.duckdb",
    "/.handover/acme/data_docs/%2e%2e/staging.duckdb",
    "/.handover/acme/data_docs/../../../secret.txt",
    "/.handover/acme/data_docs/cleaned/.contact.html.1.tmp",
    "/.handover/acme/data_docs/cleaned/",
    "/.handover/acme/",
    "/.handover/acme/data_docs/missing.html",
    "/.handover/acme/reports/exports/contacts.csv",
    "/.handover/acme/data_docs/staging.duckdb",
])
def test_server_refuses_everything_else(server: tuple[str, int], path: str) -> None:
    status, body = _get(server, path)
    assert status == 404, (path, body[:200])
    assert "customer data" not in body and "not for the browser" not in body


def test_server_will_not_follow_a_symlink_out(server: tuple[str, int], work: Path) -> None:
    (work / "data_docs" / "leak.html").symlink_to(work.parent.parent / "secret.txt")
    assert _get(server, "/.handover/acme/data_docs/leak.html")[0] == 404


def test_server_listens_on_loopback_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="loopback"):
        make_server(tmp_path, "0.0.0.0", 0)
    assert docs_server_main(["--root", str(tmp_path), "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "only listens on a loopback address" in capsys.readouterr().err
    assert docs_server_main(["--root", str(tmp_path / "missing"), "--port", "0"]) == 2
    assert "not a folder" in capsys.readouterr().err
