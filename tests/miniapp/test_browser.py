"""The Mini App in headless Chromium, as Плотникова opens it from Telegram: the signed init
data in the URL fragment (#tgWebAppData=...), a 390×844 phone screen."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from tests.support.chromium import headless_page
from tests.support.miniapp import COORDINATOR_ID, Dashboard
from tests.support.personas import SMIRNOVA

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

ROWS = "[...document.querySelectorAll('#schools tbody tr')]"
CELLS = (
    ROWS + ".map(r => [r.cells[0].firstChild.textContent, r.querySelector('.c-done').textContent,"
    " r.querySelector('.c-overdue').textContent, r.querySelector('.c-waiting').textContent])"
)


async def test_plotnikova_filters_to_overdue_and_opens_school_17(
    dashboard: Dashboard, database_url: str
) -> None:
    api = await dashboard.client.get("/app/api/schools", headers=dashboard.auth(COORDINATOR_ID))
    expected = (await api.json())["schools"]
    fragment = "#tgWebAppData=" + quote(dashboard.init_data(COORDINATOR_ID), safe="")
    fragment += "&tgWebAppVersion=8.0&tgWebAppPlatform=android"
    kind = "postgres" if database_url.startswith("postgresql") else "sqlite"
    async with headless_page(390, 844) as page:
        # Anything the Content-Security-Policy blocks (an inline style, a stray script) is
        # collected and fails the test: the page must work under its own policy.
        await page.call(
            "Page.addScriptToEvaluateOnNewDocument",
            source="window.blocked = []; document.addEventListener('securitypolicyviolation',"
            " e => window.blocked.push(e.violatedDirective + ' ' + e.blockedURI));",
        )
        await page.call("Page.navigate", url=dashboard.base_url + fragment)
        await page.wait_for("document.body && document.body.dataset.ready === 'table'")
        shown = await page.evaluate(CELLS)
        assert len(shown) == 7
        assert sorted(shown) == sorted(
            [
                s["name"],
                f"{s['done']}/{s['total']}" if s["total"] else "—",
                str(s["overdue"]),
                str(s["waiting"]),
            ]
            for s in expected
        )
        assert ["СШ № 60", "7/25", "8", "1"] in shown
        await page.screenshot(ARTIFACTS / f"miniapp-table-{kind}.png")

        await page.evaluate("document.getElementById('f-overdue').click()")
        overdue = [row[0] for row in await page.evaluate(CELLS)]
        assert sorted(overdue) == sorted(s["name"] for s in expected if s["overdue"])
        assert overdue  # in the demo every school has something overdue
        both = "document.getElementById('f-novisit').click();" + CELLS
        stale = [row[0] for row in await page.evaluate(both)]
        assert sorted(stale) == sorted(
            s["name"]
            for s in expected
            if s["overdue"] and (s["days_since_visit"] is None or s["days_since_visit"] > 30)
        )
        assert len(stale) < len(overdue)
        count = await page.evaluate("document.getElementById('table-count').textContent")
        assert count.startswith(f"Школ: {len(stale)} из 7")
        await page.evaluate("document.getElementById('f-novisit').click()")

        await page.evaluate(
            "document.body.dataset.ready = '';"
            + ROWS
            + ".find(r => r.cells[0].firstChild.textContent === 'СШ № 17').click()"
        )
        await page.wait_for("document.body.dataset.ready === 'school'")
        text = await page.evaluate("document.getElementById('school').innerText")
        assert "СШ № 17" in text and "Дорожная карта" in text and "Посещения" in text
        assert "[object" not in text and "undefined" not in text
        assert SMIRNOVA in text  # the visits' curator
        assert json.dumps(await page.evaluate("document.getElementById('error').hidden")) == "true"
        await page.screenshot(ARTIFACTS / f"miniapp-school-17-{kind}.png")

        # Charts: one stacked bar per school, the weekly overdue bars, visits per curator.
        await page.evaluate("document.querySelector('[data-tab=charts]').click()")
        await page.wait_for("document.querySelectorAll('#charts svg').length === 2")
        bars = await page.evaluate(
            "document.querySelectorAll('#charts svg')[0].querySelectorAll('text').length"
        )
        assert bars == 7
        charts = await page.evaluate("document.getElementById('charts').innerText")
        assert SMIRNOVA in charts
        await page.screenshot(ARTIFACTS / f"miniapp-charts-{kind}.png")
        assert await page.evaluate("window.blocked") == []
