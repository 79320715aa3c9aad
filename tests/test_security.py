"""Accounts and security of the service, against the real app (TestClient over create_app):
tokens checked against the user as they are now, logout, login throttling and lockout, the
password policy, agency scoping of the KPI and its plots, security headers, length limits,
upload content checks, and the ``lexpert users`` commands."""
import datetime as dt
import io
import os
import subprocess
import sys
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from lexpert.expertise.db import session_scope
from lexpert.expertise.db.models import AuditEvent, LoginAttempt, User
from lexpert.web.app import create_app

from .test_api import client, token, upload  # noqa: F401  (the fixture and helpers of the API tests)
from .test_ingest import SMALL_DRAFT
from .test_record import _migrate, empty_url  # noqa: F401  (a database with no tables; alembic to a revision)

ECO = "Министерство экологии"
AGRO = "Министерство сельского хозяйства"


def bearer(c, name, pw):
    return token(c, name, pw)


def db_url(c) -> str:
    return c.app.state.db_url


# ------------------------------------------------------------------ tokens follow the user
def test_disabled_user_token_is_refused_at_once_and_stays_refused_after_enable(client):
    ad, ex = bearer(client, "admin", "admin-password"), bearer(client, "expert", "expert-password")
    assert client.get("/api/drafts", headers=ex).status_code == 200
    r = client.patch("/api/users/expert", headers=ad, json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    r = client.get("/api/drafts", headers=ex)
    assert r.status_code == 401 and "disabled" in r.json()["detail"]
    assert client.post("/api/token", data={"username": "expert", "password": "expert-password"}).status_code == 401
    assert client.patch("/api/users/expert", headers=ad, json={"active": True}).json()["active"] is True
    assert client.get("/api/drafts", headers=ex).status_code == 401          # issued before the disabling
    assert client.get("/api/drafts", headers=bearer(client, "expert", "expert-password")).status_code == 200


def test_removed_user_token_is_refused_even_if_the_name_comes_back(client):
    ad, ex = bearer(client, "admin", "admin-password"), bearer(client, "expert", "expert-password")
    r = client.delete("/api/users/expert", headers=ad)
    assert r.status_code == 200 and r.json()["name"] == "expert"
    assert client.get("/api/drafts", headers=ex).status_code == 401
    assert client.delete("/api/users/expert", headers=ad).status_code == 404
    assert client.post("/api/users", headers=ad, json={"name": "expert", "password": "another-long-secret",
                                                        "role": "expert"}).status_code == 201
    assert client.get("/api/drafts", headers=ex).status_code == 401          # the old user's token


def test_password_change_invalidates_old_tokens_and_sessions(client):
    ad, ex = bearer(client, "admin", "admin-password"), bearer(client, "expert", "expert-password")
    ui = TestClient(client.app)
    assert ui.post("/login", data={"username": "expert", "password": "expert-password"},
                   follow_redirects=False).status_code == 303
    assert ui.get("/", follow_redirects=False).status_code == 200
    assert client.patch("/api/users/expert", headers=ad, json={"password": "a-new-long-passphrase"}).status_code == 200
    r = client.get("/api/drafts", headers=ex)
    assert r.status_code == 401 and "password was changed" in r.json()["detail"]
    r = ui.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.post("/api/token", data={"username": "expert", "password": "expert-password"}).status_code == 401
    assert client.get("/api/drafts", headers=bearer(client, "expert", "a-new-long-passphrase")).status_code == 200


def test_role_and_agency_come_from_the_user_not_the_token(client):
    ad, ex = bearer(client, "admin", "admin-password"), bearer(client, "expert", "expert-password")
    did = upload(client, ex, agency=AGRO).json()["draft_id"]
    assert client.get(f"/api/drafts/{did}", headers=ex).status_code == 200
    r = client.patch("/api/users/expert", headers=ad, json={"role": "agency", "agency": ECO})
    assert r.json()["role"] == "agency" and r.json()["agency"] == ECO
    assert client.get(f"/api/drafts/{did}", headers=ex).status_code == 404   # now sees its agency only
    assert client.post(f"/api/drafts/{did}/complete", headers=ex).status_code == 403
    assert client.patch("/api/users/expert", headers=ad, json={"role": "agency", "agency": None}).status_code == 400
    assert client.patch("/api/users/admin", headers=ad, json={"active": False}).status_code == 400   # last admin
    assert client.get("/api/users", headers=ad).status_code == 200


def test_account_changes_are_audited_without_secrets(client):
    ad = bearer(client, "admin", "admin-password")
    client.post("/api/users", headers=ad, json={"name": "aigerim", "password": "first-long-secret", "role": "expert"})
    client.patch("/api/users/aigerim", headers=ad, json={"active": False, "password": "second-long-secret"})
    client.delete("/api/users/aigerim", headers=ad)
    with session_scope(db_url(client)) as s:
        ev = [(e.field, e.old, e.new, e.actor) for e in s.scalars(select(AuditEvent).where(AuditEvent.entity == "user"))]
    fields = [f for f, *_ in ev]
    assert fields[-4:] == ["created", "password", "active", "removed"], ev
    assert all(a == "admin" for *_, a in ev[-4:])
    assert ("active", "True", "False", "admin") in ev
    assert not any("secret" in str(x) or "argon2" in str(x) for row in ev for x in row)


# ------------------------------------------------------------------ logout
def test_api_logout_revokes_that_token_only(client):
    ex1, ex2 = bearer(client, "expert", "expert-password"), bearer(client, "expert", "expert-password")
    r = client.post("/api/logout", headers=ex1)
    assert r.status_code == 200 and r.json() == {"revoked": True}
    r = client.get("/api/drafts", headers=ex1)
    assert r.status_code == 401 and "logging out" in r.json()["detail"]
    assert client.get("/api/drafts", headers=ex2).status_code == 200


def test_ui_logout_revokes_the_session_cookie(client):
    ui = TestClient(client.app)
    ui.post("/login", data={"username": "expert", "password": "expert-password"}, follow_redirects=False)
    cookie = ui.cookies["lexpert_session"]
    assert ui.get("/", follow_redirects=False).status_code == 200
    assert ui.post("/logout", follow_redirects=False).status_code == 303
    thief = TestClient(client.app, cookies={"lexpert_session": cookie})       # a copy of the old cookie
    r = thief.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert thief.get("/api/drafts").status_code == 401


# ------------------------------------------------------------------ throttling and lockout
def test_wrong_passwords_are_throttled_then_locked_even_for_the_right_one(client):
    codes = []
    for _ in range(25):
        r = client.post("/api/token", data={"username": "expert", "password": "not-the-password"})
        codes.append(r.status_code)
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}, codes
    r = client.post("/api/token", data={"username": "expert", "password": "not-the-password"})
    assert int(r.headers["Retry-After"]) > 0 and "locked" in r.json()["detail"]
    r = client.post("/api/token", data={"username": "expert", "password": "expert-password"})
    assert r.status_code == 429 and "locked" in r.json()["detail"] and 0 < int(r.headers["Retry-After"]) <= 900
    # the UI form is refused the same way, and so is a second server worker on the same database
    r = TestClient(client.app).post("/login", data={"username": "expert", "password": "expert-password"},
                                    follow_redirects=False)
    assert r.status_code == 429 and "Retry-After" in r.headers and "lexpert_session" not in r.cookies
    other = TestClient(create_app(db_url(client)))
    assert other.post("/api/token", data={"username": "expert", "password": "expert-password"}).status_code == 429
    # another user from the same address is not locked
    assert client.post("/api/token", data={"username": "admin", "password": "admin-password"}).status_code == 200
    # 31 minutes later the lock is over
    with session_scope(db_url(client)) as s:
        s.execute(update(LoginAttempt).values(at=LoginAttempt.at - dt.timedelta(minutes=31)))
    assert client.post("/api/token", data={"username": "expert", "password": "expert-password"}).status_code == 200


def test_throttle_counts_unknown_names_and_a_success_resets_the_name(client):
    for _ in range(5):
        assert client.post("/api/token", data={"username": "ghost", "password": "x" * 12}).status_code == 401
    assert client.post("/api/token", data={"username": "ghost", "password": "x" * 12}).status_code == 429
    for _ in range(4):
        client.post("/api/token", data={"username": "eco", "password": "wrong-password"})
    assert client.post("/api/token", data={"username": "eco", "password": "eco-password"}).status_code == 200
    assert client.post("/api/token", data={"username": "eco", "password": "wrong-password"}).status_code == 401


# ------------------------------------------------------------------ password policy
@pytest.mark.parametrize("pw,why", [("short-pw", "12 characters"), (" " * 8, "12 characters"),
                                    (" " * 14, "only spaces"), ("password1234", "common"),
                                    ("qwertyuiop12", "common"), ("123456789012", "common"),
                                    ("zzzzzzzzzzzzzz", "repeated"), ("Serikbayev2024!", "user name")])
def test_weak_passwords_are_refused(client, pw, why):
    ad = bearer(client, "admin", "admin-password")
    r = client.post("/api/users", headers=ad, json={"name": "serikbayev", "password": pw, "role": "expert"})
    assert r.status_code == 400 and why in r.json()["detail"], r.text
    r = client.patch("/api/users/expert", headers=ad, json={"password": pw if why != "user name" else "Expert2024!!"})
    assert r.status_code == 400 and why in r.json()["detail"], r.text
    assert client.post("/api/token", data={"username": "expert", "password": "expert-password"}).status_code == 200


# ------------------------------------------------------------------ KPI scoping
def _examine(c, ex, agency):
    did = upload(c, ex, agency=agency).json()["draft_id"]
    for f in c.get(f"/api/drafts/{did}", headers=ex).json()["findings_list"]:
        c.post(f"/api/findings/{f['id']}/confirm", headers=ex)
    assert c.post(f"/api/drafts/{did}/complete", headers=ex).status_code == 200
    return did


def _agency_view(c, ui):
    k = c.get("/api/kpi", headers=bearer(c, "eco", "eco-password")).json()
    html = ui.get("/kpi").text
    plots = {n: ui.get(f"/kpi/plot/{n}.png").content for n in
             ("kpi_a_by_quarter", "kpi_b_by_agency", "heatmap_agency_family")}
    return {"groups": k["groups"], "total": k["total"]}, html, plots


def test_agency_kpi_and_plots_do_not_change_with_another_agencys_data(client):
    ex = bearer(client, "expert", "expert-password")
    _examine(client, ex, ECO)
    ui = TestClient(client.app)
    ui.post("/login", data={"username": "eco", "password": "eco-password"}, follow_redirects=False)
    before = _agency_view(client, ui)
    expert_ui = TestClient(client.app)
    expert_ui.post("/login", data={"username": "expert", "password": "expert-password"}, follow_redirects=False)
    expert_heat = expert_ui.get("/kpi/plot/heatmap_agency_family.png").content
    _examine(client, ex, AGRO)
    _examine(client, ex, AGRO)
    after = _agency_view(client, ui)
    assert after[0] == before[0] and [g["key"] for g in after[0]["groups"]] == [ECO]
    assert after[2] == before[2]                                            # the plots byte for byte
    assert AGRO not in after[1]
    assert expert_ui.get("/kpi/plot/heatmap_agency_family.png").content != expert_heat   # the test can fail


# ------------------------------------------------------------------ headers
def test_security_headers_on_api_ui_static_and_error_responses(client):
    ui = TestClient(client.app)
    ui.post("/login", data={"username": "expert", "password": "expert-password"}, follow_redirects=False)
    for c, path in ((client, "/healthz"), (client, "/api/drafts"), (client, "/login"), (ui, "/"), (ui, "/kpi"),
                    (client, "/static/app.js"), (client, "/openapi.json"), (client, "/nowhere")):
        h = c.get(path, follow_redirects=False).headers
        csp = h["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff", path
        assert h["referrer-policy"] == "no-referrer", path
    docs = client.get("/docs").headers["content-security-policy"]
    assert "frame-ancestors 'none'" in docs and "cdn.jsdelivr.net" in docs


def test_pages_have_no_inline_script_or_style(client):
    ui = TestClient(client.app)
    ui.post("/login", data={"username": "expert", "password": "expert-password"}, follow_redirects=False)
    csrf = ui.get("/csrf").json()["csrf"]
    did = ui.post("/api/drafts", files={"file": ("d.txt", SMALL_DRAFT.encode())}, headers={"X-CSRF-Token": csrf}).json()["draft_id"]
    import re

    for path in ("/", f"/drafts/{did}", "/kpi", "/login"):
        html = ui.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert "<style" not in html and " style=" not in html and not re.search(r"\son[a-z]+=", html), path


# ------------------------------------------------------------------ length limits
def test_oversized_text_fields_are_refused_with_a_short_answer(client):
    ex = bearer(client, "expert", "expert-password")
    r = upload(client, ex, title="Т" * 2_000_000)
    assert r.status_code in (413, 422) and len(r.content) < 1000 and "title" in r.text
    r = upload(client, ex, title="Т" * 5000)
    assert r.status_code == 422 and "1000 characters" in r.text and len(r.content) < 1000
    assert upload(client, ex, agency="А" * 301).status_code == 422
    assert client.get("/api/drafts", headers=ex).json() == []              # nothing stored
    did = upload(client, ex, title="Т" * 1000).json()["draft_id"]          # the limit itself is allowed
    fid = client.get(f"/api/drafts/{did}", headers=ex).json()["findings_list"][0]["id"]
    r = client.post(f"/api/drafts/{did}/recommendations", headers=ex, json={"text": "x" * 3_000_000})
    assert r.status_code == 422 and len(r.content) < 1000
    assert client.post(f"/api/drafts/{did}/recommendations", headers=ex,
                       json={"text": "x" * 10_000}).status_code == 201
    assert client.post(f"/api/findings/{fid}/reject", headers=ex, json={"reason": "r" * 100_000}).status_code == 422
    assert client.post("/api/token", data={"username": "u" * 10_000, "password": "p" * 20}).status_code == 422
    assert client.post("/login", data={"username": "expert", "password": "p" * 5000}).status_code == 422
    ad = bearer(client, "admin", "admin-password")
    assert client.post("/api/users", headers=ad, json={"name": "n" * 200, "password": "long-enough-pass",
                                                       "role": "expert"}).status_code == 422


# ------------------------------------------------------------------ upload content
def test_upload_content_must_match_its_claimed_type(client):
    ex = bearer(client, "expert", "expert-password")
    r = upload(client, ex, data=SMALL_DRAFT.encode(), name="draft.pdf")
    assert r.status_code == 415 and "claims to be PDF" in r.json()["detail"] and "\n" not in r.json()["detail"]
    assert upload(client, ex, data=b"%PDF-1.4 " + b"x" * 100, name="draft.txt").status_code == 415
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<x/>")
    assert upload(client, ex, data=buf.getvalue(), name="draft.docx").status_code == 415
    r = client.post("/api/drafts", headers=ex, files={"file": ("draft.txt", SMALL_DRAFT.encode(), "application/pdf")})
    assert r.status_code == 415
    assert upload(client, ex, data=SMALL_DRAFT.encode(), name="draft.md").status_code == 201   # text as text
    assert len(client.get("/api/drafts", headers=ex).json()) == 1


# ------------------------------------------------------------------ the command line
def test_users_cli_disable_enable_passwd_remove(tmp_path):
    env = {**os.environ, "LEXPERT_HOME": str(tmp_path)}
    env.pop("LEXPERT_DATABASE_URL", None)

    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "lexpert", "users", *args], input=stdin, capture_output=True,
                              text=True, env=env, timeout=120)

    assert run("add", "aigul", "--role", "expert", stdin="a-long-password\n").returncode == 0
    r = run("add", "bob", "--role", "expert", stdin="qwertyuiop12\n")
    assert r.returncode == 2 and "common passwords" in r.stderr
    assert run("disable", "aigul").returncode == 0
    assert "(disabled)" in run("list").stdout
    r = run("passwd", "aigul", stdin="        \n")
    assert r.returncode == 2 and "12 characters" in r.stderr
    assert run("passwd", "aigul", stdin="a-new-long-passphrase\n").returncode == 0
    assert run("enable", "aigul").returncode == 0
    url = f"sqlite:///{tmp_path / 'lexpert.sqlite'}"
    from lexpert.web.auth import AuthError, authenticate

    with session_scope(url) as s:
        assert authenticate(s, "aigul", "a-new-long-passphrase").active
        with pytest.raises(AuthError):
            authenticate(s, "aigul", "a-long-password")
    assert run("remove", "aigul").returncode == 0
    r = run("remove", "aigul")
    assert r.returncode == 2 and "no user 'aigul'" in r.stderr
    with session_scope(url) as s:
        assert s.scalar(select(User).where(User.name == "aigul")) is None
        fields = [e.field for e in s.scalars(select(AuditEvent).where(AuditEvent.entity == "user"))]
        assert fields == ["created", "active", "password", "active", "removed"]


# ------------------------------------------------------------------ migration 0003
def test_a_user_of_revision_0002_keeps_logging_in_after_the_upgrade_and_back(empty_url, monkeypatch, tmp_path):
    """users.tokens_valid_after is NULL for a user created before 0003 (no restriction); the
    downgrade drops the new tables and column."""
    from argon2 import PasswordHasher
    from sqlalchemy import inspect, text

    from lexpert.expertise.db.session import get_engine

    monkeypatch.setenv("LEXPERT_HOME", str(tmp_path))
    monkeypatch.setenv("LEXPERT_SECRET", "test-secret-" + "x" * 32)
    _migrate(empty_url, "0002")
    with get_engine(empty_url).begin() as c:
        c.execute(text("INSERT INTO users (id, name, role, password_hash, active, created_at) "
                       "VALUES (1, 'old', 'expert', :h, :a, :t)"),
                  {"h": PasswordHasher().hash("old-long-password"), "a": True, "t": dt.datetime(2025, 1, 1)})
    c = TestClient(create_app(empty_url))                # init_db upgrades to the head
    with session_scope(empty_url) as s:
        assert s.get(User, 1).tokens_valid_after is None
    assert c.get("/api/drafts", headers=bearer(c, "old", "old-long-password")).status_code == 200
    _migrate(empty_url, "0002", down=True)
    insp = inspect(get_engine(empty_url))
    assert not {"revoked_tokens", "login_attempts"} & set(insp.get_table_names())
    assert "tokens_valid_after" not in {col["name"] for col in insp.get_columns("users")}
