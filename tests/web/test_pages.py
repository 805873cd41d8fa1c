"""The pages in a real browser, as a price administrator, the board and a clinic would use them.

Elements are found by their Swedish labels and roles. Every page visited is checked with axe-core
(no serious or critical findings).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.config import DATA_DIR, REPO_ROOT

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:playwright")

BUNDLED_NORMAL = DATA_DIR / "taxa" / "region-jonkoping-2025-normal.csv"
HEADER = "code,category,group,kind,text,price,reference_price,unit,source_row\n"


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def assert_accessible(page: Any) -> None:
    """axe-core in the page: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{page.url}:\n" + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in bad
    )


def log_in(page: Any, key: str) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    page.get_by_label("API-nyckel").fill(key)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Taxor", exact=True)).to_be_visible()


def upload(page: Any, filename: str, content: str, name: str, valid_from: str) -> None:
    page.get_by_role("link", name="Ladda upp taxa").click()
    page.get_by_label("Fil").set_input_files(
        files=[{"name": filename, "mimeType": "text/csv", "buffer": content.encode("utf-8")}]
    )
    page.get_by_label("Namn").fill(name)
    page.get_by_label("Variant").select_option("normal")
    page.get_by_label("Gäller från").fill(valid_from)
    page.get_by_role("button", name="Granska").click()


def lookup(service: Any, code: str, on: str, key: str | None = None) -> httpx.Response:
    """A clinic system's price lookup over the JSON API."""
    return httpx.get(
        f"{service.url}/v1/procedures/{code}",
        params={"on": on},
        headers={"Authorization": f"Bearer {key or service.keys['clinic']}"},
    )


def test_login_shows_the_taxa_and_logout_ends_the_session(page: Any, service: Any) -> None:
    page.goto("/")
    assert_accessible(page)
    page.get_by_label("API-nyckel").fill("taxa_not-a-key")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_text("Okänd eller återkallad API-nyckel.")).to_be_visible()
    assert_accessible(page)

    log_in(page, service.keys["admin"])
    expect(page.get_by_role("link", name="Tandvårdstaxa 2025", exact=True)).to_be_visible()
    assert_accessible(page)
    cookie = next(c for c in page.context.cookies() if c["name"] == "taxa_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    page.goto("/ui/taxor")
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()


def test_a_file_with_errors_names_every_row(page: Any, service: Any) -> None:
    log_in(page, service.keys["admin"])
    bad = HEADER + (
        '101,A,Undersökning,extern,"Basundersökning",1100.00,1015.00,per_atgard,\n'
        '103,A,Undersökning,extern,"Kompletterande undersökning",femhundra,440.00,per_atgard,\n'
        '107,A,Undersökning,extern,"Omfattande undersökning",1340.00,,per_atgard,\n'
        '108,Q,Undersökning,extern,"Utredning",900.00,800.00,per_atgard,\n'
    )
    upload(page, "fel.csv", bad, "Taxa med fel", "2026-01-01")
    expect(page.get_by_role("heading", name=re.compile("3 problem i fel.csv"))).to_be_visible()
    table = page.get_by_role("table", name="Problem i filen")
    for row, words in (
        (3, "Priset är inte ett tal"),
        (4, "behöver sitt referenspris"),
        (5, "Okänd kategori"),
    ):
        expect(table.get_by_role("row").filter(has_text=words)).to_contain_text(str(row))
    expect(page.get_by_role("button", name="Spara som utkast")).to_have_count(0)
    assert_accessible(page)


def test_a_good_file_is_reviewed_saved_activated_and_priced(page: Any, service: Any) -> None:
    before = lookup(service, "101", "2026-06-01")
    assert before.status_code == 200 and before.json()["price"] == "1100.00"
    content = BUNDLED_NORMAL.read_text(encoding="utf-8").replace(
        '"Basundersökning, utförd av tandläkare",1100.00',
        '"Basundersökning, utförd av tandläkare",1180.00',
        1,
    )
    content += (
        'X901,A,Övrigt,intern,"<script>alert(1)</script>",100.00,,per_atgard,\n'
        'X902,A,Övrigt,intern,"=HYPERLINK(""http://example.invalid"",""klick"")",'
        "50.00,,per_atgard,\n"
    )
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, service.keys["admin"])
    upload(page, "taxa-2026.csv", content, "Tandvårdstaxa 2026", "2026-01-01")

    expect(page.get_by_text(re.compile("Inga fel: .* åtgärder"))).to_be_visible()
    changed = page.get_by_role("table", name="Ändrade priser")
    expect(changed.get_by_role("row").filter(has_text="Basundersökning")).to_contain_text(
        "1\u00a0180,00\u00a0kr"
    )
    expect(changed).to_contain_text("+7,27\u00a0%")
    added = page.get_by_role("table", name="Nya åtgärder")
    expect(added.get_by_role("cell", name="<script>alert(1)</script>")).to_be_visible()
    expect(
        added.get_by_role("cell", name='=HYPERLINK("http://example.invalid","klick")')
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Spara som utkast").click()
    expect(page.get_by_text("Utkastet är sparat.")).to_be_visible()
    expect(page.get_by_role("heading", name="Tandvårdstaxa 2026")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Aktivera").click()
    expect(
        page.get_by_text(re.compile("avslutar Tandvårdstaxa 2025 .* till och med 31 december 2025"))
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Aktivera").click()
    expect(page.get_by_text("Taxan är aktiverad.")).to_be_visible()
    assert not dialogs

    after = lookup(service, "101", "2026-06-01")
    assert after.status_code == 200
    assert after.json()["price"] == "1180.00"
    assert after.json()["schedule"]["name"] == "Tandvårdstaxa 2026"
    assert lookup(service, "101", "2025-06-01").json()["price"] == "1100.00"


def test_the_board_reads_the_report_and_the_7_percent_check(page: Any, service: Any) -> None:
    log_in(page, service.keys["board"])
    expect(page.get_by_role("link", name="Ladda upp taxa")).to_have_count(0)
    page.get_by_role("link", name="7 %-kontroll").click()
    page.get_by_label("Taxa").select_option(label="Tandvårdstaxa 2025 (2025-01-01, gällande)")
    page.get_by_label("Volymer").select_option("exempel")
    page.get_by_role("button", name="Visa kontroll").click()
    expect(page.get_by_role("table", name="Avvikelse från referensprislistan")).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile("avvikelse .* per åtgärdsgrupp"))
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Rapport", exact=True).click()
    page.get_by_label("Taxa").select_option(label="Tandvårdstaxa 2025 (2025-01-01, gällande)")
    page.get_by_role("button", name="Visa rapport").click()
    frame = page.frame_locator("iframe[title^='Rapport']")
    expect(frame.get_by_role("heading", name="Sammanfattning")).to_be_visible(timeout=30_000)
    assert_accessible(page)
    pdf = page.request.get(page.get_by_role("link", name="Ladda ner PDF").get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    xlsx = page.request.get(page.get_by_role("link", name="Ladda ner XLSX").get_attribute("href"))
    assert xlsx.status == 200 and xlsx.body().startswith(b"PK")


def test_a_clinic_key_sees_no_upload_page_and_a_forged_post_is_refused(
    page: Any, service: Any
) -> None:
    log_in(page, service.keys["clinic"])
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link", name="Taxor")).to_be_visible()
    for hidden in ("Ladda upp taxa", "Volymer", "Rapport", "Granskningslogg", "API-nycklar"):
        expect(nav.get_by_role("link", name=hidden)).to_have_count(0)
    assert_accessible(page)

    response = page.goto("/ui/taxor/ladda-upp")
    assert response is not None and response.status == 403
    expect(page.get_by_text("Din roll får inte göra detta.")).to_be_visible()

    token = page.locator("input[name=csrf]").first.get_attribute("value")
    forged = page.request.post(
        "/ui/taxor/granska",
        multipart={
            "csrf": token,
            "name": "Falsk",
            "variant": "normal",
            "valid_from": "2027-01-01",
            "file": {"name": "t.csv", "mimeType": "text/csv", "buffer": HEADER.encode()},
        },
    )
    assert forged.status == 403
    keys = page.request.post("/ui/nycklar", form={"csrf": token, "name": "x", "role": "admin"})
    assert keys.status == 403


def test_a_post_without_the_csrf_token_is_refused(page: Any, service: Any) -> None:
    log_in(page, service.keys["admin"])
    page.get_by_role("link", name="API-nycklar").click()
    assert_accessible(page)
    without = page.request.post("/ui/nycklar", form={"name": "Smygnyckel", "role": "admin"})
    assert without.status == 403
    wrong = page.request.post(
        "/ui/nycklar", form={"csrf": "fel", "name": "Smygnyckel", "role": "admin"}
    )
    assert wrong.status == 403
    page.reload()
    expect(page.get_by_role("cell", name="Smygnyckel")).to_have_count(0)

    page.get_by_label("Namn").fill("Klinik Huskvarna")
    page.get_by_label("Roll").select_option("clinic")
    page.get_by_role("button", name="Skapa nyckel").click()
    shown = page.get_by_label("Ny nyckel").input_value()
    assert shown.startswith("taxa_")
    assert lookup(service, "101", "2025-06-01", key=shown).status_code == 200
    page.goto("/ui/nycklar")  # the key is shown once: not on the next page
    expect(page.get_by_label("Ny nyckel")).to_have_count(0)
    expect(page.get_by_role("cell", name="Klinik Huskvarna", exact=True)).to_have_count(1)


def test_every_page_of_the_administrator_is_accessible(page: Any, service: Any) -> None:
    log_in(page, service.keys["admin"])
    for path, heading in (
        ("/ui/taxor/1", "Tandvårdstaxa 2025"),
        ("/ui/taxor/1?q=basundersökning", "Tandvårdstaxa 2025"),
        ("/ui/taxor/2/jourkontroll", "Jourkontroll: Tandvårdstaxa 2025 - Jourklinik"),
        ("/ui/taxor/ladda-upp", "Ladda upp taxa"),
        ("/ui/volymer", "Volymer"),
        ("/ui/kontroll", "7 %-kontroll"),
        ("/ui/rapport", "Rapport"),
        ("/ui/granskningslogg", "Granskningslogg"),
        ("/ui/nycklar", "API-nycklar"),
        ("/ui/referensprislistor", "Referensprislistor"),
        ("/ui/referenskontroll", "Referenskontroll"),
        ("/ui/forslag", "Förslag till nästa år"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert_accessible(page)


def test_volumes_are_reviewed_then_saved(page: Any, service: Any) -> None:
    log_in(page, service.keys["admin"])
    page.get_by_role("link", name="Volymer").click()
    page.get_by_label("Fil").set_input_files(
        files=[
            {
                "name": "volymer.csv",
                "mimeType": "text/csv",
                "buffer": "Åtgärd;Volym\n101;5200\n103;-4\n107;tusen\n".encode(),
            }
        ]
    )
    page.get_by_label("Namn").fill("Volymer med fel")
    page.get_by_role("button", name="Granska").click()
    problems = page.get_by_role("table", name="Problem i filen")
    expect(problems.get_by_role("row").filter(has_text="Volymen är negativ")).to_contain_text("3")
    expect(problems.get_by_role("row").filter(has_text="Inte ett tal")).to_contain_text("4")
    assert_accessible(page)

    page.get_by_label("Fil").set_input_files(
        files=[
            {
                "name": "volymer.csv",
                "mimeType": "text/csv",
                "buffer": "Åtgärd;Volym\n101;5200\n103;1 800\n101;20\n".encode(),
            }
        ]
    )
    page.get_by_label("Namn").fill("Debiterat 2025")
    page.get_by_role("button", name="Granska").click()
    expect(page.get_by_text(re.compile("Inga fel: 3 rader, 2 koder"))).to_be_visible()
    page.get_by_role("button", name="Spara volymerna").click()
    expect(page.get_by_text("Volymerna är sparade.")).to_be_visible()
    table = page.get_by_role("table", name="Volym per kod")
    expect(table.get_by_role("row").filter(has_text="101")).to_contain_text("5\u00a0220")
    assert_accessible(page)


def test_docs_and_redoc_work_without_a_network(page: Any, service: Any) -> None:
    """Both work offline and ask nothing of another host (ReDoc's bundle would fetch its logo
    from cdn.redoc.ly: the pages' Content-Security-Policy keeps the browser from asking)."""
    outside: list[str] = []  # what the browser tried to fetch from another host

    def record(route: Any) -> None:
        if not route.request.url.startswith((service.url, "data:", "blob:", "about:")):
            outside.append(route.request.url)
        route.fallback()  # on to the context's handler, which lets only the service through

    page.route("**/*", record)
    page.goto("/docs")
    expect(page.get_by_text("/v1/procedures/{code}").first).to_be_visible(timeout=30_000)
    page.goto("/redoc")
    expect(
        page.get_by_role("heading", name=re.compile("Folktandvården taxa service")).first
    ).to_be_visible(timeout=30_000)
    expect(page.get_by_text("API docs by Redocly")).to_be_visible()  # where the logo would be
    assert outside == []


TLV_2026 = REPO_ROOT / "tests" / "data" / "tlv-referenspriser-2026-01-01.csv"
TAXA_2025 = "Tandvårdstaxa 2025 (2025-01-01, gällande)"


def percent_in(text: str) -> Decimal:
    """The first percentage of a text as the pages write it (``−0,11 %``, ``7,00 %``)."""
    found = re.search(r"([−+-]?\d+,\d+)\s%", text)
    assert found is not None, text
    return Decimal(found[1].replace("−", "-").replace(",", "."))


def test_next_year_reference_list_control_and_proposal_saved_as_drafts(
    page: Any, service: Any
) -> None:
    log_in(page, service.keys["admin"])
    nav = page.get_by_role("navigation", name="Huvudmeny")
    nav.get_by_role("link", name="Referensprislistor").click()
    page.get_by_label("Fil").set_input_files(str(TLV_2026))
    page.get_by_label("Namn").fill("HSLF-FS 2025:68")
    page.get_by_role("button", name="Granska").click()
    expect(page.get_by_text("Inga fel: 200 åtgärder")).to_be_visible()
    expect(page.get_by_text("1 januari 2026 – tills vidare")).to_be_visible()  # the headings' date
    assert_accessible(page)
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_text("Referensprislistan är sparad.")).to_be_visible()
    page.get_by_label("Sök åtgärd").fill("rotfyllning")
    page.get_by_role("button", name="Sök").click()
    expect(page.get_by_text(re.compile(r"^\d+ av 200 åtgärder som matchar"))).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Taxa").select_option(label=TAXA_2025)
    page.get_by_role("button", name="Kontrollera").click()
    expect(
        page.get_by_role("heading", name="Tandvårdstaxa 2025 mot HSLF-FS 2025:68")
    ).to_be_visible()
    expect(
        page.get_by_role("table", name=re.compile("behöver ett pris")).get_by_role(
            "cell", name="340", exact=True
        )
    ).to_be_visible()
    assert_accessible(page)
    nav.get_by_role("link", name="Referensprislistor").click()
    saved = page.get_by_role("table", name="Sparade referensprislistor")
    expect(saved.get_by_role("link", name="HSLF-FS 2025:68")).to_be_visible()

    # The 7 %-kontroll against the new list: the deviation, and the list's own rise beside it.
    nav.get_by_role("link", name="7 %-kontroll").click()
    page.get_by_label("Taxa").select_option(label=TAXA_2025)
    page.get_by_label("Volymer").select_option("exempel")
    page.get_by_label("Referensprislista").select_option(
        label="HSLF-FS 2025:68 (2026-01-01 – tills vidare)"
    )
    page.get_by_role("button", name="Visa kontroll").click()
    expect(page.get_by_role("table", name="Avvikelse från HSLF-FS 2025:68")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Listans egen höjning: \+\d+,\d+\s%"))).to_be_visible()
    assert_accessible(page)

    # The proposal: solved within 7 % after rounding; the live preview follows the fields.
    nav.get_by_role("link", name="Förslag till nästa år").click()
    page.get_by_label("Taxa").select_option(label=TAXA_2025)
    page.get_by_label("Referensprislista").select_option(label="HSLF-FS 2025:68 (från 2026-01-01)")
    page.get_by_label("Volymer").select_option("exempel")
    page.get_by_label("Gäller från").fill("2026-01-01")
    page.get_by_label("Procent", exact=True).fill("3")
    expect(page.get_by_text(re.compile("Uppdaterad: Avvikelse efter avrundning"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"\+3,00\s% \(angiven\)"))).to_be_visible()
    page.get_by_label("Procent", exact=True).fill("")
    page.get_by_role("button", name="Förhandsgranska").click()
    summary = page.get_by_text(re.compile("Avvikelse efter avrundning: "))
    expect(summary).to_be_visible()
    assert percent_in(summary.inner_text()) <= Decimal(7)
    expect(
        page.get_by_text(re.compile(r"\(utlöst: den största som håller målet\)"))
    ).to_be_visible()
    expect(
        page.get_by_role(
            "table", name="Åtgärder i den nya listan som behöver ett pris"
        ).get_by_role("cell", name="340", exact=True)
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ koder passerar sitt referenspris"))).to_be_visible()
    items = page.get_by_role("table", name="Alla åtgärder, före och efter")
    items.get_by_role("link", name="Ändring %").click()  # sorted, the preview kept
    expect(items.get_by_role("columnheader", name=re.compile("Ändring %"))).to_have_attribute(
        "aria-sort", "ascending"
    )
    assert_accessible(page)

    page.get_by_role("button", name="Spara som utkast").click()
    expect(page.get_by_text("Förslaget är sparat som utkast.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Jourklinik"))).to_be_visible()
    nav.get_by_role("link", name="Taxor", exact=True).click()
    draft = page.get_by_role("row").filter(has_text="Tandvårdstaxa 2026 – förslag mot HSLF-FS")
    expect(draft.first).to_contain_text("Utkast")
    expect(draft).to_have_count(2)  # the normal taxa and its jour taxa


def test_a_revoked_key_ends_its_session(page: Any, other_page: Any, service: Any) -> None:
    log_in(page, service.keys["admin"])
    page.get_by_role("link", name="API-nycklar").click()
    page.get_by_label("Namn").fill("Vikarie")
    page.get_by_label("Roll").select_option("board")
    page.get_by_label("Ägare").fill("region-jonkoping")
    page.get_by_role("button", name="Skapa nyckel").click()
    key = page.get_by_label("Ny nyckel").input_value()
    row = page.get_by_role("row").filter(has_text="Vikarie")
    expect(row).to_contain_text("region-jonkoping")
    expect(row).to_contain_text("Nämnd (läsare)")

    log_in(other_page, key)
    expect(other_page.get_by_role("link", name="Rapport")).to_be_visible()
    page.goto("/ui/nycklar")
    page.get_by_role("link", name="Återkalla Vikarie").click()
    expect(page.get_by_text("slutar fungera direkt")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Återkalla").click()
    expect(page.get_by_text("Nyckeln Vikarie är återkallad")).to_be_visible()
    expect(page.get_by_role("link", name="Återkalla Vikarie")).to_have_count(0)
    other_page.reload()
    expect(other_page.get_by_role("heading", name="Logga in")).to_be_visible()
    assert lookup(service, "101", "2025-06-01", key=key).status_code == 401
