"""Account settings as code (DESIGN §9): the account summary (partial), the physical address
(created when absent), sender emails (waiting for confirmation is not a change), the pin of
DESIGN §7, and export of all three."""

from __future__ import annotations

import json

from .helpers import apply_ok, plan_is_clean, summary_line, writes

SETTINGS = """
    version: 1
    account:
      organization_name: ${var:brand}
      organization_phone: 401-244-1000
    physical_address:
      address_line1: 123 Maple Street
      city: Boston
      state_code: MA
      postal_code: "02451"
      country_code: US
    sender_emails:
      - news@hanksfruit.example
    vars:
      brand: Hanks Fresh Fruit
"""


def test_a_partial_account_update_sends_only_declared_fields(sb, ctct, manifest):
    before = dict(sb.store().get_summary())
    bodies: list[dict] = []

    def capture(request, real):
        bodies.append(json.loads(request.body))
        return real.body

    sb.faults.replace("PUT", "/v3/account/summary", commit=True, respond=capture)
    path = manifest(SETTINGS)
    apply_ok(ctct, path)
    assert bodies == [
        {"organization_name": "Hanks Fresh Fruit", "organization_phone": "401-244-1000"}
    ]
    after = dict(sb.store().get_summary())
    untouched = {k: v for k, v in before.items() if k not in bodies[0]}
    assert {k: after[k] for k in untouched} == untouched  # nothing undeclared was changed
    assert after["organization_name"] == "Hanks Fresh Fruit"
    plan_is_clean(ctct, path)


def test_the_address_is_created_when_absent_then_replaced_keeping_undeclared_fields(
    sb, ctct, manifest, api
):
    path = manifest(SETTINGS)
    apply_ok(ctct, path)
    assert [(r.method, r.path) for r in writes(sb) if "physical" in r.path] == [
        ("POST", "/v3/account/summary/physical_address")
    ]
    # Someone adds a second address line in the web UI; the manifest changes the city only.
    address = api.get("/account/summary/physical_address").json()
    assert (
        api.put(
            "/account/summary/physical_address", json={**address, "address_line2": "Unit 4"}
        ).status_code
        == 200
    )
    path = manifest(SETTINGS.replace("city: Boston", "city: Cambridge"))
    sb.reset_log()
    apply_ok(ctct, path)
    assert [(r.method, r.path) for r in writes(sb)] == [
        ("PUT", "/v3/account/summary/physical_address")
    ]
    final = api.get("/account/summary/physical_address").json()
    assert (final["city"], final["address_line2"]) == ("Cambridge", "Unit 4")
    plan_is_clean(ctct, path)


FRANCE = """
    version: 1
    physical_address:
      address_line1: 8 rue de Rivoli
      city: Paris
      state_name: Ile-de-France
      country_code: FR
"""
BOSTON = """
    version: 1
    physical_address:
      address_line1: 123 Maple Street
      city: Boston
      state_code: MA
      postal_code: "02451"
      country_code: US
"""


def test_an_address_moved_to_another_country_leaves_the_old_countrys_state_and_zip_behind(
    sb, ctct, manifest, api
):
    apply_ok(ctct, manifest(BOSTON))
    api.put(
        "/account/summary/physical_address",
        json={**api.get("/account/summary/physical_address").json(), "address_line2": "Unit 4"},
    )
    bodies: list[dict] = []

    def capture(request, real):
        bodies.append(json.loads(request.body))
        return real.body

    sb.faults.replace("PUT", "/v3/account/summary/physical_address", commit=True, respond=capture)
    for text in (FRANCE, BOSTON):
        path = manifest(text)
        apply_ok(ctct, path)
        plan_is_clean(ctct, path)
    # Boston's state and ZIP do not go to Paris, nor Paris's region back; the second line,
    # undeclared and no country's, stays as the account holds it.
    assert bodies == [
        {
            "address_line1": "8 rue de Rivoli",
            "address_line2": "Unit 4",
            "city": "Paris",
            "state_name": "Ile-de-France",
            "country_code": "FR",
        },
        {
            "address_line1": "123 Maple Street",
            "address_line2": "Unit 4",
            "city": "Boston",
            "state_code": "MA",
            "postal_code": "02451",
            "country_code": "US",
        },
    ]


def test_an_account_answering_an_empty_address_gets_one_created(sb, ctct, manifest):
    """The spec documents no 404 for GET /account/summary/physical_address: an empty object
    is an account without an address as well."""
    sb.faults.replace("GET", "/v3/account/summary/physical_address", body={}, times=1)
    apply_ok(ctct, manifest(BOSTON))
    assert [(r.method, r.path) for r in writes(sb)] == [
        ("POST", "/v3/account/summary/physical_address")
    ]
    plan_is_clean(ctct, manifest(BOSTON))


def test_an_unconfirmed_sender_email_waits_for_its_owner_and_is_not_a_change(sb, ctct, manifest):
    path = manifest("version: 1\nsender_emails: [News@HanksFruit.example]\n")
    apply_ok(ctct, path)
    plan = plan_is_clean(ctct, path)  # exit 0, "No changes"
    assert "News@HanksFruit.example" in plan.stdout and "waiting for its owner" in plan.stdout
    # The address compares without case: a differently cased manifest is the same address.
    lower = manifest("version: 1\nsender_emails: [news@hanksfruit.example]\n")
    plan_is_clean(ctct, lower)
    sb.confirm_email("News@HanksFruit.example")
    confirmed = plan_is_clean(ctct, path)
    assert "waiting for its owner" not in confirmed.stdout


def test_a_manifest_pinned_to_another_account_is_refused_with_zero_writes(sb, ctct, manifest):
    path = manifest(
        "version: 1\naccount: {encoded_account_id: b0therac0unt}\ntags: [{name: VIP}]\n"
    )
    for command in (["plan", path], ["apply", path, "--auto-approve"]):
        res = ctct(command)
        assert res.code == 1, res
        assert "pinned to account b0therac0unt" in res.stderr
        assert "a07e1l8cdif9" in res.stderr  # the account the credentials open, named
    assert writes(sb) == []
    # Nothing but the account's summary was read: the pin is checked first.
    assert {r.path for r in sb.requests if r.path.startswith("/v3/")} == {"/v3/account/summary"}
    pinned = manifest("version: 1\naccount: {encoded_account_id: a07e1l8cdif9}\n")
    assert ctct(["plan", pinned, "--detailed-exitcode"]).code == 0


def test_the_pin_holds_through_the_partner_api_too(sb, ctct, manifest):
    sb.add_client_account("a08e1izvh8t9", organization_name="Zenomatic")
    path = manifest("version: 1\naccount: {encoded_account_id: a08e1izvh8t9}\ntags: [{name: V}]\n")
    assert ctct(["apply", path, "--auto-approve", "--account", "a08e1izvh8t9"]).code == 0
    res = ctct(["apply", path, "--auto-approve"])  # the partner's own account: refused
    assert res.code == 1 and "pinned to account a08e1izvh8t9" in res.stderr
    assert sb.store().find("tags", "V") is None


def test_export_writes_the_account_settings_and_a_plan_of_it_is_clean(sb, ctct, manifest, tmp_path):
    apply_ok(ctct, manifest(SETTINGS))
    kinds = "account,physical_address,sender_emails,lists,tags"
    res = ctct(["export", "--kinds", kinds, "--out", tmp_path / "exported"])
    assert res.code == 0, res
    names = sorted(p.name for p in (tmp_path / "exported").iterdir())
    assert {"account.yaml", "physical_address.yaml", "sender_emails.yaml"} <= set(names)
    plan = plan_is_clean(ctct, tmp_path / "exported")
    assert summary_line(plan.stdout).startswith("No changes")


def test_address_country_rules_are_checked_offline(sb, ctct, manifest):
    path = manifest("""
        version: 1
        physical_address: {address_line1: 1 Main St, city: Boston, country_code: US}
    """)
    res = ctct(["validate", path])
    assert res.code == 1
    assert "state_code is required for an address in US" in res.stderr
    assert "postal_code is required" in res.stderr
    assert sb.requests == []
