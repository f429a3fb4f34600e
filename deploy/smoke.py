"""Smoke test of a running deployment: health, sign-in, a team page, the API, a Celery round trip.

    python deploy/smoke.py --url http://127.0.0.1:8000

Runs with the deployment's environment (DATABASE_URL, ...): it creates its accounts in that database
(see deploy/fixtures.py) and watches the worker's effect there. It acts as the TLS proxy in front
(``X-Forwarded-Proto: https``), so the deployment runs with its production settings unchanged apart
from SECURE_PROXY_SSL_HEADER=true. Exits non-zero on the first failed check.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from deploy.fixtures import Fixtures, fixtures_ensure

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """A minimal browser behind a TLS proxy: keeps cookies (Secure ones too) and sends the proxy's
    forwarded scheme and a same-origin Referer, as Django's CSRF check on HTTPS wants."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.http = httpx.Client(base_url=self.base, timeout=30, follow_redirects=False)
        self.cookies: dict[str, str] = {}
        host = httpx.URL(self.base).host
        port = httpx.URL(self.base).port
        self.origin = f"https://{host}:{port}" if port else f"https://{host}"

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {
            "X-Forwarded-Proto": "https",
            "Referer": f"{self.origin}{path}",
            **kwargs.pop("headers", {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(method, path, headers=headers, **kwargs)
        for name, value in response.cookies.items():
            self.cookies[name] = value
        return response

    def form_token(self, path: str) -> str:
        page = self.request("GET", path)
        check(page.status_code == 200, f"GET {path} -> {page.status_code}")
        found = CSRF_INPUT.search(page.text)
        check(found is not None, f"no CSRF token in {path}")
        assert found is not None
        return found.group(1)


def check(condition: bool, message: str) -> None:
    if not condition:
        print(f"SMOKE FAILED: {message}", file=sys.stderr)
        sys.exit(1)


def step(name: str) -> None:
    print(f"smoke: {name}", flush=True)


def sign_in(browser: Browser, username: str, password: str) -> None:
    token = browser.form_token("/accounts/login/")
    response = browser.request(
        "POST",
        "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
    )
    check(response.status_code == 302, f"sign-in as {username} -> {response.status_code}")


def run(base: str, fixtures: Fixtures) -> None:
    anonymous = Browser(base)
    step("health")
    check(anonymous.request("GET", "/healthz").json() == {"status": "ok"}, "/healthz")
    ready = anonymous.request("GET", "/readyz")
    check(ready.status_code == 200, f"/readyz -> {ready.status_code} {ready.text}")

    step("pages need sign-in")
    home = anonymous.request("GET", "/")
    check(home.status_code == 302 and "/accounts/login/" in home.headers["location"], "home redirects")

    step("sign in and open a team page")
    owner = Browser(base)
    sign_in(owner, fixtures.owner, fixtures.password)
    page = owner.request("GET", f"/t/{fixtures.team_slug}/")
    check(page.status_code == 200 and "Deploy check" in page.text, f"team page -> {page.status_code}")
    check("no-store" in page.headers.get("cache-control", ""), "team page is no-store")
    check("script-src 'self'" in page.headers.get("content-security-policy", ""), "team page has a CSP")
    static = re.search(r'href="(/static/css/portal\.[0-9a-f]+\.css)"', page.text)
    check(static is not None, "pages link fingerprinted static files")
    assert static is not None
    check(anonymous.request("GET", static.group(1)).status_code == 200, "static file served")

    step("API with a team token")
    bearer = {"Authorization": f"Bearer {fixtures.token}"}
    models = anonymous.request("GET", "/api/catalog/models/", headers=bearer)
    check(models.status_code == 200 and models.json()["count"] >= 5, f"catalog API -> {models.status_code}")
    report = anonymous.request(
        "POST",
        "/api/cost-reports/",
        headers=bearer,
        json={
            "usage": {
                "daily_requests": 10000,
                "avg_input_tokens": 500,
                "avg_output_tokens": 1000,
                "peak_concurrent": 50,
            }
        },
    )
    check(report.status_code == 200, f"cost report -> {report.status_code} {report.text[:200]}")
    refused = anonymous.request("GET", "/api/catalog/models/", headers={"Authorization": "Bearer mw_nope"})
    check(refused.status_code == 401 and refused.json()["code"] == "authentication_failed", "bad token")

    step("Celery round trip: the admin queues a price refresh, the worker applies it")
    from catalog.models import ModelOption

    opus = ModelOption.objects.get(name="Claude 3 Opus")
    ModelOption.objects.filter(pk=opus.pk).update(input_price_per_mtok=Decimal("1"))
    staff = Browser(base)
    sign_in(staff, fixtures.staff, fixtures.password)
    token = staff.form_token("/admin/catalog/modeloption/")
    queued = staff.request(
        "POST",
        "/admin/catalog/modeloption/",
        data={
            "action": "refresh_prices_later",
            "_selected_action": [str(opus.pk)],
            "index": "0",
            "csrfmiddlewaretoken": token,
        },
    )
    check(queued.status_code == 302, f"admin action -> {queued.status_code}")
    listing = staff.request("GET", "/admin/catalog/modeloption/")
    check("Price refresh queued" in listing.text, "the admin says the refresh is queued")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        opus.refresh_from_db()
        if opus.input_price_per_mtok == Decimal("15"):
            break
        time.sleep(0.2)
    check(opus.input_price_per_mtok == Decimal("15"), "the worker did not refresh the price within 30 s")
    print("smoke: all checks passed", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    args = parser.parse_args()
    run(args.url, fixtures_ensure())


if __name__ == "__main__":
    main()
