"""A static server for the Data Docs, reports and review files, on loopback only.

`make ui` starts it beside `dagster dev`, so the links in check and asset metadata (see
handover.links.served_url) open from the Dagster UI. It serves only files inside the folders named
in SERVED_FOLDERS under its root, never a directory listing, a dotfile or a staging database, and
its landing page lists what it serves.
"""

from __future__ import annotations

import argparse
import html
import ipaddress
import sys
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from handover.links import SERVED_FOLDERS, servable

LANDING_DEPTH = 4  # how deep below the root the landing page looks for Data Docs indexes and reports


class DocsHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args, directory: str, **kwargs) -> None:
        super().__init__(*args, directory=directory, **kwargs)

    def do_GET(self) -> None:
        if self._landing():
            return
        if not self._allowed():
            self.send_error(HTTPStatus.NOT_FOUND, "not served: only Data Docs, reports and review files are")
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        if not self._allowed():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        super().do_HEAD()

    def _allowed(self) -> bool:
        relative = Path(unquote(urlsplit(self.path).path).lstrip("/"))
        target = Path(self.translate_path(self.path)).resolve()
        if target.is_dir():
            relative, target = relative / "index.html", target / "index.html"
        root = Path(self.directory).resolve()
        # a symlink may not lead out of the served folders
        return (servable(relative) and target.is_file() and target.is_relative_to(root)
                and servable(target.relative_to(root)))

    def list_directory(self, path: str | Path) -> None:
        self.send_error(HTTPStatus.NOT_FOUND, "no directory listings")
        return None

    def _landing(self) -> bool:
        if urlsplit(self.path).path != "/":
            return False
        body = landing_page(Path(self.directory)).encode("utf-8")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return True

    def end_headers(self) -> None:
        # Pages change with every run; a reload must show the latest.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the Dagster UI's terminal is busy enough


def landing_page(root: Path) -> str:
    root = root.resolve()
    links = []
    for pattern in ("data_docs/index.html", "reports/*.html"):
        for depth in range(LANDING_DEPTH):
            for path in sorted(root.glob("*/" * depth + pattern)):
                relative = path.relative_to(root)
                if servable(relative):
                    links.append(f'<li><a href="/{quote(relative.as_posix())}">{html.escape(relative.as_posix())}</a></li>')
    items = "\n".join(links) or "<li>Nothing yet: run a migration (make demo) first.</li>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Handover: Data Docs and reports</title></head>'
        f"<body><h1>Data Docs and reports</h1><p>Served from <code>{html.escape(str(root))}</code>.</p>"
        f"<ul>\n{items}\n</ul></body></html>"
    )


def make_server(root: Path, host: str, port: int) -> ThreadingHTTPServer:
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"--host {host}: the docs server only listens on a loopback address (e.g. 127.0.0.1)")
    return ThreadingHTTPServer((host, port), partial(DocsHandler, directory=str(root.resolve())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m handover.docs_server",
        description=f"Serve the {', '.join(sorted(SERVED_FOLDERS))} folders under ROOT over http on loopback.",
    )
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        print(f"error: --root {args.root}: not a folder", file=sys.stderr)
        return 2
    try:
        server = make_server(args.root, args.host, args.port)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Data Docs and reports: http://{args.host}:{args.port}/ (from {args.root.resolve()})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
