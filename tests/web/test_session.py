"""The pages' session and headers through HTTP (no browser): cookie flags, idle timeout, CSP,
CSRF and roles, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.auth import Role, create_key
from app.config import DATA_DIR, REPO_ROOT, Settings
from app.db import transaction
from app.main import create_app
from app.models import Schedule


def login(client: TestClient, headers: dict[str, str]) -> str:
    """Log in with the key of ``headers``; returns the session's CSRF token."""
    page = client.get("/ui/logga-in")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post(
        "/ui/logga-in",
        data={"csrf": token[1], "key": headers["Authorization"][7:]},
        follow_redirects=False,
    )
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


def test_the_cookie_is_secure_when_configured(
    engine: object, settings: Settings, admin: dict[str, str]
) -> None:
    app = create_app(replace(settings, session_cookie_secure=True))
    with TestClient(app, base_url="https://testserver") as client:
        login(client, admin)
        assert "Secure" in client.get("/ui/taxor").headers["set-cookie"]
    app.state.engine.dispose()


def test_an_idle_session_ends(
    client: TestClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, admin)
    assert client.get("/ui/taxor", follow_redirects=False).status_code == 200
    idle = client.app.state.settings.session_idle_seconds  # type: ignore[attr-defined]
    # The clock moves past the idle timeout: the signature's timestamp is now too old.
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + idle + 5)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()))
    answer = client.get("/ui/taxor", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/logga-in"


def test_a_forged_or_tokenless_post_is_refused(
    client: TestClient, admin: dict[str, str], clinic: dict[str, str]
) -> None:
    login(client, admin)
    assert client.post("/ui/nycklar", data={"name": "x", "role": "admin"}).status_code == 403
    assert (
        client.post("/ui/nycklar", data={"csrf": "x", "name": "x", "role": "admin"}).status_code
        == 403
    )
    client.cookies.clear()
    token = login(client, clinic)
    answer = client.post("/ui/nycklar", data={"csrf": token, "name": "x", "role": "admin"})
    assert answer.status_code == 403 and "Din roll får inte göra detta." in answer.text
    assert client.get("/ui/taxor/ladda-upp").status_code == 403
    assert client.get("/ui/granskningslogg").status_code == 403


def test_uploaded_text_is_escaped(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    token = login(client, admin)
    content = (
        "code,category,group,kind,text,price,reference_price,unit\n"
        'X1,A,<b>Grupp</b>,intern,"<script>alert(1)</script>",100.00,,per_atgard\n'
        'X2,A,Grupp,intern,"=HYPERLINK(""http://e.invalid"",""x"")",50.00,,per_atgard\n'
    )
    answer = client.post(
        "/ui/taxor/granska",
        data={
            "csrf": token,
            "name": "<i>Namn</i>",
            "variant": "normal",
            "valid_from": "2027-01-01",
        },
        files={"file": ("t.csv", content.encode(), "text/csv")},
    )
    assert answer.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
    assert "<script>alert" not in answer.text and "<i>Namn</i>" not in answer.text
    assert "=HYPERLINK(&#34;http://e.invalid&#34;,&#34;x&#34;)" in answer.text


def test_no_page_without_a_session_but_the_login(client: TestClient) -> None:
    for path in (
        "/ui/taxor",
        "/ui/taxor/1",
        "/ui/volymer",
        "/ui/kontroll",
        "/ui/rapport",
        "/ui/granskningslogg",
        "/ui/nycklar",
        "/ui/taxor/ladda-upp",
        "/ui/referensprislistor",
        "/ui/referensprislistor/1",
        "/ui/referenskontroll",
        "/ui/forslag",
        "/ui/nycklar/1/aterkalla",
    ):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/ui/logga-in"
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"
    assert client.post("/ui/taxor/granska", follow_redirects=False).status_code in (303, 403)


def test_the_api_keeps_its_json_errors(client: TestClient, admin: dict[str, str]) -> None:
    answer = client.get("/v1/schedules")
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    missing = client.get("/v1/nothing-here", headers=admin)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_docs_use_local_assets(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        html = client.get(path).text
        assert "cdn" not in html.lower() and "googleapis" not in html
        for asset in re.findall(r'(?:src|href)="(/docs-assets/[^"]+)"', html):
            assert client.get(asset).status_code == 200, asset


# --- owners, the new forms, errors next to their fields -----------------------------------------

TLV_2026 = REPO_ROOT / "tests" / "data" / "tlv-referenspriser-2026-01-01.csv"
TAXA_2025 = DATA_DIR / "taxa" / "region-jonkoping-2025-normal.csv"


def key_headers(
    engine: Engine, role: Role, owners: list[str] | None = None, name: str = "test"
) -> tuple[int, dict[str, str]]:
    with transaction(engine) as session:
        row, key = create_key(session, role, name, owners)
        assert row.id is not None
        return row.id, {"Authorization": f"Bearer {key}"}


def store_reference_list(client: TestClient, admin: dict[str, str]) -> int:
    answer = client.post(
        "/v1/reference-lists",
        headers=admin,
        data={"name": "HSLF-FS 2025:68"},
        files={"file": (TLV_2026.name, TLV_2026.read_bytes(), "text/csv")},
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["reference_list"]["id"])


def schedule_count(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Schedule)).all())


def test_a_key_scoped_to_another_owner_writes_nothing_for_it_from_the_pages(
    client: TestClient, engine: Engine, admin: dict[str, str], bundled: list[int]
) -> None:
    list_id = store_reference_list(client, admin)
    draft = client.post(
        "/v1/imports",
        headers=admin,
        data={"name": "Utkast 2027", "valid_from": "2027-01-01", "owner": "region-jonkoping"},
        files={"file": ("t.csv", TAXA_2025.read_bytes(), "text/csv")},
    ).json()["schedule_id"]
    _, scoped = key_headers(engine, Role.ADMIN, ["region-kalmar"], "Kalmars administratör")
    token = login(client, scoped)
    assert '<option value="region-kalmar"' in client.get("/ui/taxor/ladda-upp").text
    refused = "Din nyckel får bara skriva för region-kalmar, inte för &#39;region-jonkoping&#39;."
    taxa = {"file": ("t.csv", TAXA_2025.read_bytes(), "text/csv")}
    form = {"csrf": token, "name": "Taxa 2027", "variant": "normal", "valid_from": "2027-01-01"}

    other = client.post("/ui/taxor/granska", data={**form, "owner": "region-jonkoping"}, files=taxa)
    assert other.status_code == 403
    assert f'<p class="field-error" id="owner-fel">{refused}</p>' in other.text
    own = client.post("/ui/taxor/granska", data={**form, "owner": "region-kalmar"}, files=taxa)
    assert own.status_code == 200 and "Inga fel:" in own.text
    volumes = client.post(
        "/ui/volymer/granska",
        data={"csrf": token, "name": "V", "owner": "region-jonkoping"},
        files={"file": ("v.csv", "Åtgärd;Volym\n101;5\n".encode(), "text/csv")},
    )
    assert volumes.status_code == 403 and refused in volumes.text

    before = schedule_count(engine)
    for answer in (
        client.get(f"/ui/taxor/{draft}/aktivera"),
        client.post(f"/ui/taxor/{draft}/aktivera", data={"csrf": token}),
    ):
        assert answer.status_code == 403 and refused in answer.text
        assert 'type="submit">Aktivera' not in answer.text
    proposal = client.post(
        "/ui/forslag/spara",
        data={
            "csrf": token,
            "taxa": str(bundled[0]),
            "lista": str(list_id),
            "volymer": "exempel",
            "valid_from": "2026-01-01",
            "grans": "7",
            "mode": "uniform",
            "rounding_kr": "5",
        },
    )
    assert proposal.status_code == 403 and refused in proposal.text
    national = client.post(
        "/ui/referensprislistor/granska",
        data={"csrf": token, "name": "X", "origin": "tlv_file"},
        files={"file": (TLV_2026.name, TLV_2026.read_bytes(), "text/csv")},
    )
    assert national.status_code == 403 and "En referensprislista är nationell" in national.text
    assert schedule_count(engine) == before
    status = client.get("/v1/schedules", headers=admin).json()
    assert next(s for s in status if s["id"] == draft)["status"] == "draft"


def test_problems_are_shown_next_to_the_field_they_concern(
    client: TestClient, admin: dict[str, str], bundled: list[int]
) -> None:
    token = login(client, admin)
    undated = (
        "Åtgärdsnummer,Åtgärdsnamn,Referenspris allmäntandvård,"
        "Referenspris specialisttandvård\n101,Basundersökning,1100,1100\n"
    )
    answer = client.post(
        "/ui/referensprislistor/granska",
        data={"csrf": token, "name": "Utan datum", "origin": "tlv_file"},
        files={"file": ("lista.csv", undated.encode(), "text/csv")},
    )
    assert answer.status_code == 422
    assert (
        '<p class="field-error" id="valid_from-fel">Filens rubriker anger inget datum'
        in answer.text
    )

    list_id = store_reference_list(client, admin)
    again = client.post(
        "/ui/referensprislistor/granska",
        data={"csrf": token, "name": "Igen", "origin": "tlv_file"},
        files={"file": (TLV_2026.name, TLV_2026.read_bytes(), "text/csv")},
    )
    assert again.status_code == 409 and "överlappar lista" in again.text

    base = {
        "taxa": str(bundled[0]),
        "lista": str(list_id),
        "volymer": "exempel",
        "valid_from": "2026-01-01",
        "grans": "7",
        "mode": "uniform",
        "rounding_kr": "5",
    }
    target = client.get("/ui/forslag", params={**base, "target_percent": "8"})
    assert target.status_code == 422
    assert (
        '<p class="field-error" id="target_percent-fel">Ska ligga mellan −7 och 7 (gränsen).</p>'
    ) in target.text
    early = client.get("/ui/forslag", params={**base, "valid_from": "2024-06-01"})
    assert early.status_code == 422
    assert (
        '<p class="field-error" id="valid_from-fel">Förslaget ska börja gälla efter taxan '
        "det bygger på (2025-01-01).</p>"
    ) in early.text
    coarse = client.get("/ui/forslag", params={**base, "grans": "0,01", "rounding_kr": "100"})
    assert coarse.status_code == 422
    assert '<p class="field-error" id="grans-fel">Ingen avrundning håller gränsen' in coarse.text
    assert re.search(r"Närmast möjliga: avvikelse −\d+,\d+ % med \d+,\d+ %", coarse.text)
    typed = client.get("/ui/forslag", params={**base, "percent": "tre", "grans": "-1"})
    assert 'id="percent-fel">Procent ska vara ett tal' in typed.text
    assert 'id="grans-fel">Gräns ska vara mellan 0 och 100.' in typed.text


def test_revoking_a_key_ends_its_page_sessions(
    client: TestClient, engine: Engine, admin: dict[str, str]
) -> None:
    token = login(client, admin)
    other_id, other = key_headers(engine, Role.BOARD, ["region-jonkoping"], "Nämnden")
    keys = client.get("/ui/nycklar").text
    assert "Nämnden" in keys and "region-jonkoping" in keys and "aldrig" in keys
    with TestClient(client.app) as reader:
        login(reader, other)
        assert reader.get("/ui/rapport").status_code == 200
        assert "Senast använd" in client.get("/ui/nycklar").text
        answer = client.post(
            f"/ui/nycklar/{other_id}/aterkalla", data={"csrf": token}, follow_redirects=False
        )
        assert answer.status_code == 303
        gone = reader.get("/ui/rapport", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"] == "/ui/logga-in"
    twice = client.post(f"/ui/nycklar/{other_id}/aterkalla", data={"csrf": token})
    assert twice.status_code == 409 and "Nyckeln är redan återkallad" in twice.text


def test_a_scoped_key_manages_only_keys_within_its_owners(
    client: TestClient, engine: Engine
) -> None:
    everyone_id, _ = key_headers(engine, Role.CLINIC, None, "Alla regioners klinik")
    _, scoped = key_headers(engine, Role.ADMIN, ["region-kalmar"], "Kalmar")
    token = login(client, scoped)
    listed = client.get("/ui/nycklar").text
    assert "Alla regioners klinik" not in listed
    assert client.get(f"/ui/nycklar/{everyone_id}/aterkalla").status_code == 403
    assert (
        client.post(f"/ui/nycklar/{everyone_id}/aterkalla", data={"csrf": token}).status_code == 403
    )
    wider = client.post(
        "/ui/nycklar", data={"csrf": token, "name": "Bred", "role": "clinic", "owners": ""}
    )
    assert wider.status_code == 403
    assert 'id="owners-fel">En nyckel som är begränsad till ägare' in wider.text
    within = client.post(
        "/ui/nycklar",
        data={"csrf": token, "name": "Smal", "role": "clinic", "owners": "region-kalmar"},
    )
    assert within.status_code == 201 and "för region-kalmar" in within.text


def test_the_new_forms_refuse_a_post_without_the_token(
    client: TestClient, admin: dict[str, str]
) -> None:
    login(client, admin)
    for path in (
        "/ui/referensprislistor/granska",
        "/ui/referensprislistor/spara",
        "/ui/forslag/spara",
        "/ui/nycklar/1/aterkalla",
    ):
        assert client.post(path, data={"csrf": "fel"}).status_code == 403, path


def test_a_page_upload_far_over_the_limit_is_a_swedish_413_page(
    client: TestClient, admin: dict[str, str]
) -> None:
    """The request-body limit refuses the upload while it streams in; a page says so in
    Swedish, as a page (not the API's JSON, nor a plain-text "Content Too Large")."""
    token = login(client, admin)
    limit = client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
    answer = client.post(
        "/ui/taxor/granska",
        data={"csrf": token, "name": "Stor", "variant": "normal", "valid_from": "2027-01-01"},
        files={"file": ("t.csv", b"a;b\n" * (limit // 2), "text/csv")},
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "Det som skickades är större än 5 MiB: välj en mindre fil." in answer.text
