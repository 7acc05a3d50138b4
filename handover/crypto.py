"""Encryption at rest: the key, DuckDB files opened with DuckDB's own encryption, and authenticated encryption of
backup files (AES-256-GCM) with HMAC-signed manifests.

The key comes from `HANDOVER_KEY`, or from the file `encryption.key_file` names in the spec; it is never printed,
logged or stored. What is used is derived from it (HKDF-SHA256, one derivation per purpose), so the key itself never
reaches a SQL statement or a file. A wrong or missing key gives one clear `CryptoError`.

DuckDB writes encrypted files only with the httpfs extension loaded (it brings OpenSSL); it is loaded from the
`duckdb-ext-httpfs` wheel's folder, never downloaded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_ENV = "HANDOVER_KEY"
NEW_KEY_ENV = "HANDOVER_NEW_KEY"
MAGIC = b"HANDOVER-AESGCM-1\n"
CATALOG = "handover_db"

if TYPE_CHECKING:
    from handover.spec import MigrationSpec


class CryptoError(Exception):
    """A missing or wrong key, or data that does not decrypt; the message never holds a key."""


def key_from(env: str = KEY_ENV, key_file: Path | None = None) -> str | None:
    """The key from the environment variable, else from `key_file`; None when neither is set."""
    value = os.environ.get(env, "").strip()
    if value:
        return value
    return read_key_file(key_file) if key_file is not None else None


def read_key_file(key_file: Path) -> str:
    try:
        value = key_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CryptoError(f"{key_file}: cannot read the key file ({exc.strerror})") from None
    if not value:
        raise CryptoError(f"{key_file}: the key file is empty")
    return value


def derive(key: str, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"handover", info=purpose.encode()).derive(key.encode("utf-8"))


def key_id(key: str) -> str:
    """A fingerprint of the key that reveals nothing of it: tells a wrong key from a tampered file."""
    return derive(key, "key-id").hex()[:16]


def encrypt(key: str, data: bytes, associated: bytes = b"") -> bytes:
    nonce = secrets.token_bytes(12)
    return MAGIC + nonce + AESGCM(derive(key, "file")).encrypt(nonce, data, associated)


def is_encrypted(blob: bytes) -> bool:
    return blob.startswith(MAGIC)


def decrypt(key: str, blob: bytes, associated: bytes = b"", where: str = "") -> bytes:
    if not is_encrypted(blob):
        raise CryptoError(f"{where}: not an encrypted Handover file")
    nonce, body = blob[len(MAGIC):len(MAGIC) + 12], blob[len(MAGIC) + 12:]
    try:
        return AESGCM(derive(key, "file")).decrypt(nonce, body, associated)
    except InvalidTag:
        raise CryptoError(f"{where}: does not decrypt with this key: a wrong key, or the file was altered") from None


def sign(key: str, document: dict) -> str:
    """HMAC-SHA256 of a JSON document (its `signature` left out)."""
    body = json.dumps({k: v for k, v in document.items() if k != "signature"}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(derive(key, "manifest"), body.encode("utf-8"), hashlib.sha256).hexdigest()


def signed(key: str, document: dict) -> bool:
    return hmac.compare_digest(sign(key, document), str(document.get("signature", "")))


def extension_directory() -> str | None:
    """The folder of DuckDB extensions shipped as wheels (httpfs), if installed."""
    try:
        import duckdb_ext  # type: ignore[import-not-found]
    except ImportError:
        return None
    folder = Path(next(iter(duckdb_ext.__path__))) / "extensions"
    return str(folder) if folder.is_dir() else None


def _duckdb_key(key: str) -> str:
    return derive(key, "duckdb").hex()


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect_duckdb(path: str | Path, key: str | None, read_only: bool = False, retries: int = 0) -> duckdb.DuckDBPyConnection:
    """A connection to a DuckDB file: plain without a key; with one, the file is attached with DuckDB's encryption and
    made the default catalog, so unqualified names (`raw.x`, `ledger.loads`) resolve in it. `retries`: how often to try
    again (with backoff) while another connection holds the file's lock."""
    for attempt in range(retries + 1):
        try:
            return _connect(Path(path), key, read_only)
        except duckdb.IOException:
            if attempt == retries:
                raise
            time.sleep(0.1 * 2 ** min(attempt, 6))
    raise AssertionError("unreachable")


def _connect(path: Path, key: str | None, read_only: bool) -> duckdb.DuckDBPyConnection:
    if key is None:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if "encrypt" in str(exc).lower():
                raise CryptoError(f"{path} is encrypted: set {KEY_ENV} (or encryption.key_file in the spec) to open it") from None
            raise
    directory = extension_directory()
    if directory is None:
        raise CryptoError("encryption needs the DuckDB httpfs extension: pip install duckdb-ext-httpfs (it ships the extension offline)")
    con = duckdb.connect(":memory:", config={"extension_directory": directory, "autoinstall_known_extensions": False})
    try:
        con.execute("LOAD httpfs")
        mode = ", READ_ONLY" if read_only else ""
        con.execute(f"ATTACH {_sql_text(str(path))} AS {CATALOG} (ENCRYPTION_KEY {_sql_text(_duckdb_key(key))}{mode})")
        con.execute(f"USE {CATALOG}")
    except duckdb.IOException as exc:
        con.close()
        if "encryption key" not in str(exc).lower():
            raise  # the file is locked by another connection: the caller retries
        raise CryptoError(f"{path}: wrong key: the file does not open with the key given") from None
    except duckdb.Error as exc:
        con.close()
        text = str(exc).lower()
        if "encrypt" in text or "key" in text or "not a valid duckdb" in text:
            if path.exists() and not _file_is_encrypted(path):
                raise CryptoError(f"{path} is not encrypted: run `handover rekey SPEC` with the key in {NEW_KEY_ENV} to encrypt it") from None
            raise CryptoError(f"{path}: wrong key: the file does not open with the key given") from None
        raise CryptoError(f"{path}: cannot open ({str(exc).splitlines()[0].replace(_duckdb_key(key), '***')})") from None
    return con


def _file_is_encrypted(path: Path) -> bool:
    """DuckDB marks an encrypted database in its main header (flag byte 8 of the file's first block)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        return "encrypt" in str(exc).lower()
    con.close()
    return False


def rekey_duckdb(path: Path, old: str | None, new: str | None) -> None:
    """Copy a DuckDB file into one under the new key (None: plain), then swap it in; the old key is checked first,
    so a wrong key changes nothing."""
    if not path.exists():
        return
    connect_duckdb(path, old, read_only=True).close()
    temp = path.with_name(path.name + ".rekey")
    for leftover in (temp, Path(str(temp) + ".wal")):
        leftover.unlink(missing_ok=True)
    directory = extension_directory()
    if directory is None:
        raise CryptoError("encryption needs the DuckDB httpfs extension: pip install duckdb-ext-httpfs")
    con = duckdb.connect(":memory:", config={"extension_directory": directory, "autoinstall_known_extensions": False})
    try:
        con.execute("LOAD httpfs")
        old_options = f" (ENCRYPTION_KEY {_sql_text(_duckdb_key(old))}, READ_ONLY)" if old else " (READ_ONLY)"
        new_options = f" (ENCRYPTION_KEY {_sql_text(_duckdb_key(new))})" if new else ""
        con.execute(f"ATTACH {_sql_text(str(path))} AS old_db{old_options}")
        con.execute(f"ATTACH {_sql_text(str(temp))} AS new_db{new_options}")
        con.execute("COPY FROM DATABASE old_db TO new_db")
        con.execute("DETACH new_db")
        con.execute("DETACH old_db")
    finally:
        con.close()
    os.replace(temp, path)
    Path(str(path) + ".wal").unlink(missing_ok=True)


def spec_key(spec: MigrationSpec, env: str = KEY_ENV) -> str | None:
    """The migration's key: `env` (HANDOVER_KEY), else the spec's key file; None when the migration is not encrypted."""
    key_file = spec.resolve(spec.encryption.key_file) if spec.encryption.key_file else None
    return key_from(env, key_file if env == KEY_ENV else None)


def copy_schema(con: duckdb.DuckDBPyConnection, catalog: str, scratch: Path, schema: str, *, into_scratch: bool) -> None:
    """Copy every table of `schema` between `catalog` (of `con`) and a plain scratch DuckDB file, one way; closes `con`."""
    try:
        con.execute(f"ATTACH {_sql_text(str(scratch))} AS scratch")
        source, target = ("scratch", catalog) if not into_scratch else (catalog, "scratch")
        con.execute(f'CREATE SCHEMA IF NOT EXISTS {target}."{schema}"')
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ?", [source, schema]).fetchall()]
        for table in tables:
            con.execute(f'CREATE OR REPLACE TABLE {target}."{schema}"."{table}" AS SELECT * FROM {source}."{schema}"."{table}"')
        con.execute("DETACH scratch")
    finally:
        con.close()
