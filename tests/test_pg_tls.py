"""Encrypted connections to a server database: a server that accepts only TLS, a client that
verifies the server's certificate, and what a person is told when either side is not set up.

Needs the test server to have TLS on: ``.ci/run`` starts it with a self-signed certificate
(``ZHAOSHANG_TEST_PG_CA`` names it) and a ``pg_hba.conf`` line that refuses unencrypted
connections of the login ``zs_tls_only``."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from _harness import drop_pg_database, pg_server
from conftest import Cli

from zhaoshang.engines.postgres import connect_failed

CA_ENV = "ZHAOSHANG_TEST_PG_CA"
LOGIN = "zs_tls_only"  # (.ci/run's pg_hba.conf: hostnossl … zs_tls_only … reject)


# ---------------------------------------------------------------------------------------
# The messages (libpq's reasons, as it words them; no server needed)
# ---------------------------------------------------------------------------------------

LIBPQ = {
    "只接受加密连接": 'connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  '
    'pg_hba.conf rejects connection for host "10.0.0.9", user "li", database "zs", no encryption',
    "没有开启加密": "connection failed: server does not support SSL, but SSL was required",
    "没有通过校验": 'connection failed: connection to server at "10.0.0.5", port 5432 failed: SSL error: '
    "certificate verify failed",
    "「db.local」，地址里的主机名是「10.0.0.5」": 'connection failed: server certificate for "db.local" does not '
    'match host name "10.0.0.5"',
    "密码不对或没有给出": 'connection failed: FATAL:  password authentication failed for user "li"',
    "没有登录名「li」": 'connection failed: FATAL:  role "li" does not exist',
    "没有名为「zs2」的库": 'connection failed: FATAL:  database "zs2" does not exist',
    "连不上服务器": 'connection failed: connection to server at "10.0.0.5", port 5433 failed: Connection refused\n'
    "\tIs the server running on that host and accepting TCP/IP connections?",
    "不允许这个登录名": 'connection failed: FATAL:  no pg_hba.conf entry for host "10.0.0.9", user "li", '
    'database "zs", no encryption',
}


@pytest.mark.parametrize("said", sorted(LIBPQ))
def test_each_reason_a_server_refuses_is_said_with_what_to_do(said: str) -> None:
    text = connect_failed("postgresql://li@10.0.0.5/zs", {}, LIBPQ[said])
    assert text.startswith("无法连接数据库服务器「postgresql://li@10.0.0.5/zs」：") and said in text, text
    assert "服务器的原话：" in text and "connection failed:" not in text, text


def test_a_reason_not_known_is_said_as_the_server_words_it() -> None:
    text = connect_failed("postgresql://li@h/zs", {}, "connection failed: something new happened")
    assert "something new happened" in text and "请检查地址" in text


# ---------------------------------------------------------------------------------------
# A server that requires TLS (CI's test server)
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_db() -> Iterator[tuple[str, str, str]]:
    """(host:port, database, CA file) of a database owned by the TLS-only login."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    server = pg_server()
    ca = os.environ.get(CA_ENV, "")
    if not ca:
        if os.environ.get("CI"):
            pytest.fail(f"CI 的 PostgreSQL 必须开启 TLS：{CA_ENV} 未设置（.ci/run 生成证书）")
        pytest.skip(f"测试服务器没有 TLS：设 {CA_ENV}=服务器证书 运行")
    info = conninfo_to_dict(server)
    name = "tls_" + os.urandom(4).hex()
    with psycopg.connect(**info, autocommit=True) as conn:
        conn.execute(f"DO $$ BEGIN CREATE ROLE {LOGIN} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        conn.execute(
            f'CREATE DATABASE "{name}" OWNER {LOGIN} TEMPLATE template0 ENCODING UTF8 '
            "LC_CTYPE 'C.UTF-8' LC_COLLATE 'C'"
        )
    where = f"{info.get('host') or '127.0.0.1'}:{info.get('port') or 5432}"
    try:
        yield where, name, ca
    finally:
        drop_pg_database(f"postgresql://{info.get('user', 'postgres')}@{where}/{name}")


def test_a_verified_encrypted_connection_works_and_an_unencrypted_one_is_refused(
    tls_db: tuple[str, str, str],
) -> None:
    where, name, ca = tls_db
    plain = Cli(f"postgresql://{LOGIN}@{where}/{name}?sslmode=disable")
    r = plain("init", ok=False)
    assert "只接受加密连接" in r.stderr and "sslmode=verify-full" in r.stderr, r.stderr
    safe = Cli(f"postgresql://{LOGIN}@{where}/{name}?sslmode=verify-full&sslrootcert={ca}")
    safe("init", ok=True)
    safe("chain", "add", "新能源", ok=True)
    r = safe("chain", "list", ok=True)
    assert "新能源" in r.stdout


def test_a_certificate_not_trusted_or_not_for_the_host_is_refused(tls_db: tuple[str, str, str], tmp_path: Path) -> None:
    where, name, ca = tls_db
    if shutil.which("openssl") is None:
        pytest.skip("需要 openssl 生成另一张证书")
    other = tmp_path / "other.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "other.key"),
         "-out", str(other), "-subj", "/CN=other", "-days", "1"],
        check=True, capture_output=True,
    )  # fmt: skip
    r = Cli(f"postgresql://{LOGIN}@{where}/{name}?sslmode=verify-full&sslrootcert={other}")("list", ok=False)
    assert "没有通过校验" in r.stderr, r.stderr
    port = where.rsplit(":", 1)[1]
    r = Cli(f"postgresql://{LOGIN}@localhost:{port}/{name}?sslmode=verify-full&sslrootcert={ca}")("list", ok=False)
    assert "两者不符" in r.stderr and "「localhost」" in r.stderr, r.stderr


def test_a_refused_password_says_where_libpq_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refusal = 'connection failed: FATAL:  password authentication failed for user "li"'
    info = {"host": "db.local", "port": "5432", "dbname": "zs", "user": "li"}
    monkeypatch.delenv("PGPASSWORD", raising=False)
    pgpass = tmp_path / "pgpass"
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert "没有找到密码文件" in connect_failed("u", info, refusal)
    pgpass.write_text("db.local:5432:zs:li:x\n")
    pgpass.chmod(0o644)
    assert "权限是 644" in connect_failed("u", info, refusal) and "chmod 600" in connect_failed("u", info, refusal)
    pgpass.chmod(0o600)
    assert "db.local:5432:zs:li:密码" in connect_failed("u", info, refusal)
    monkeypatch.setenv("PGPASSWORD", "x")
    assert "PGPASSWORD" in connect_failed("u", info, refusal)
