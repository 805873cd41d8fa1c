"""The pages' session and headers through HTTP (no browser): cookie flags, idle timeout, CSP,
CSRF and roles, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner

from app.config import Settings
from app.main import create_app


def login(client: TestClient, headers: dict[str, str]) -> str:
    """Log in with the key of ``headers``; returns the session's CSRF token."""
    page = client.get("/ui/logga-in")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post("/ui/logga-in", data={"csrf": token[1],
                                               "key": headers["Authorization"][7:]},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/taxor"
    after = client.get("/ui/taxor")
    found = re.search(r'name="csrf" value="([^"]+)"', after.text)
    assert found is not None and found[1] != token[1]  # a new token after login
    return found[1]


def test_the_cookie_is_httponly_strict_and_the_pages_send_a_csp(
    client: TestClient, admin: dict[str, str]
) -> None:
    login(client, admin)
    answer = client.get("/ui/taxor")
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie
    assert "Secure" not in cookie
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in answer.text.replace('<script src="/ui/static/app.js" defer>', "")


def test_the_cookie_is_secure_when_configured(engine: object, settings: Settings,
                                              admin: dict[str, str]) -> None:
    app = create_app(replace(settings, session_cookie_secure=True))
    with TestClient(app, base_url="https://testserver") as client:
        login(client, admin)
        assert "Secure" in client.get("/ui/taxor").headers["set-cookie"]
    app.state.engine.dispose()


def test_an_idle_session_ends(client: TestClient, admin: dict[str, str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    login(client, admin)
    assert client.get("/ui/taxor", follow_redirects=False).status_code == 200
    idle = client.app.state.settings.session_idle_seconds  # type: ignore[attr-defined]
    # The clock moves past the idle timeout: the signature's timestamp is now too old.
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + idle + 5)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()))
    answer = client.get("/ui/taxor", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/logga-in"


def test_a_forged_or_tokenless_post_is_refused(client: TestClient, admin: dict[str, str],
                                              clinic: dict[str, str]) -> None:
    login(client, admin)
    assert client.post("/ui/nycklar", data={"name": "x", "role": "admin"}).status_code == 403
    assert client.post("/ui/nycklar", data={"csrf": "x", "name": "x",
                                            "role": "admin"}).status_code == 403
    client.cookies.clear()
    token = login(client, clinic)
    answer = client.post("/ui/nycklar", data={"csrf": token, "name": "x", "role": "admin"})
    assert answer.status_code == 403 and "Din roll får inte göra detta." in answer.text
    assert client.get("/ui/taxor/ladda-upp").status_code == 403
    assert client.get("/ui/granskningslogg").status_code == 403


def test_uploaded_text_is_escaped(client: TestClient, admin: dict[str, str],
                                  bundled: list[int]) -> None:
    token = login(client, admin)
    content = ("code,category,group,kind,text,price,reference_price,unit\n"
               'X1,A,<b>Grupp</b>,intern,"<script>alert(1)</script>",100.00,,per_atgard\n'
               'X2,A,Grupp,intern,"=HYPERLINK(""http://e.invalid"",""x"")",50.00,,per_atgard\n')
    answer = client.post("/ui/taxor/granska", data={
        "csrf": token, "name": "<i>Namn</i>", "variant": "normal", "valid_from": "2027-01-01"},
        files={"file": ("t.csv", content.encode(), "text/csv")})
    assert answer.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
    assert "<script>alert" not in answer.text and "<i>Namn</i>" not in answer.text
    assert "=HYPERLINK(&#34;http://e.invalid&#34;,&#34;x&#34;)" in answer.text


def test_no_page_without_a_session_but_the_login(client: TestClient) -> None:
    for path in ("/ui/taxor", "/ui/taxor/1", "/ui/volymer", "/ui/kontroll", "/ui/rapport",
                 "/ui/granskningslogg", "/ui/nycklar", "/ui/taxor/ladda-upp"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/ui/logga-in"
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"
    assert client.post("/ui/taxor/granska", follow_redirects=False).status_code in (303, 403)


def test_the_api_keeps_its_json_errors(client: TestClient) -> None:
    answer = client.get("/v1/schedules")
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    assert client.get("/v1/nothing-here").json()["error"] == "http_error"


def test_docs_use_local_assets(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        html = client.get(path).text
        assert "cdn" not in html.lower() and "googleapis" not in html
        for asset in re.findall(r'(?:src|href)="(/docs-assets/[^"]+)"', html):
            assert client.get(asset).status_code == 200, asset
