"""Pure account rules: identifiers, password policy, role specs, safe redirect targets."""

import pytest

from civic.auth import rules
from civic.auth.models import Role, ScopeType
from civic.errors import InvalidInput


@pytest.mark.parametrize(("given", "expected"), [
    ("  Wang.Fang@Example.COM ", "wang.fang@example.com"),
    ("li@wuchang.gov.cn", "li@wuchang.gov.cn"),
])
def test_email_is_trimmed_and_lower_cased(given, expected):
    assert rules.normalise_email(given) == expected


@pytest.mark.parametrize("bad", ["no-at-sign", "a@b", "two@@example.com", "sp ace@example.com", "@example.com",
                                 "x" * 250 + "@example.com"])
def test_malformed_email_is_refused(bad):
    with pytest.raises(InvalidInput):
        rules.normalise_email(bad)


@pytest.mark.parametrize(("given", "expected"), [
    ("138 0013 8000", "+8613800138000"),
    ("138-0013-8000", "+8613800138000"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("0086 13800138000", "+8613800138000"),
    ("(027) 8888 6666", "02788886666"),
])
def test_phone_spellings_normalise_to_one_form(given, expected):
    assert rules.normalise_phone(given) == expected


@pytest.mark.parametrize("bad", ["12345", "call me", "+86 138 0013 8000 12345", "13800138000x"])
def test_malformed_phone_is_refused(bad):
    with pytest.raises(InvalidInput):
        rules.normalise_phone(bad)


def test_identifier_is_classified_by_at_sign():
    assert rules.classify_identifier("A@Example.com") == ("email", "a@example.com")
    assert rules.classify_identifier("13800138000") == ("phone", "+8613800138000")
    with pytest.raises(InvalidInput):
        rules.classify_identifier("   ")


def test_throttle_key_is_shared_by_all_spellings_of_one_identifier():
    assert rules.throttle_key_for_identifier("138 0013 8000") == rules.throttle_key_for_identifier("+8613800138000")
    assert rules.throttle_key_for_identifier("A@x.org") == rules.throttle_key_for_identifier("a@x.org ")
    assert rules.throttle_key_for_identifier("garbage!") == "id:garbage!"
    assert rules.throttle_key_for_address("10.0.0.1") != rules.throttle_key_for_identifier("10.0.0.1")


def test_password_policy():
    rules.check_new_password("x" * 10, "x" * 10)
    with pytest.raises(InvalidInput, match="at least 10"):
        rules.check_new_password("x" * 9, "x" * 9)
    with pytest.raises(InvalidInput, match="do not match") as exc:
        rules.check_new_password("correct horse", "correct h0rse")
    assert exc.value.field == "password_confirm"
    with pytest.raises(InvalidInput, match="only spaces"):
        rules.check_new_password(" " * 12)
    with pytest.raises(InvalidInput, match="at most"):
        rules.check_new_password("x" * (rules.PASSWORD_MAX + 1))


def test_display_name_is_collapsed_and_required():
    assert rules.check_display_name("  王   秀英 ") == "王 秀英"
    with pytest.raises(InvalidInput):
        rules.check_display_name("   ")
    with pytest.raises(InvalidInput):
        rules.check_display_name("x" * 121)


@pytest.mark.parametrize(("spec", "expected"), [
    ("administrator", (Role.administrator, ScopeType.global_, 0)),
    ("staff:place:12", (Role.staff, ScopeType.place, 12)),
    ("judge:contest:3", (Role.judge, ScopeType.contest, 3)),
    ("treasurer:grant_programme:7", (Role.treasurer, ScopeType.grant_programme, 7)),
])
def test_role_specs(spec, expected):
    assert rules.parse_role_spec(spec) == expected


@pytest.mark.parametrize(("spec", "message"), [
    ("mayor", "Unknown role"),
    ("staff", "needs a scope"),
    ("staff:contest:3", "granted on a place"),
    ("staff:place:abc", "not a valid scope number"),
    ("staff:place:0", "not a valid scope number"),
    ("administrator:place:1", "is global"),
])
def test_bad_role_specs_say_what_is_wrong(spec, message):
    with pytest.raises(InvalidInput, match=message):
        rules.parse_role_spec(spec)


@pytest.mark.parametrize(("target", "expected"), [
    ("/votes/3?tab=results", "/votes/3?tab=results"),
    ("/", "/"),
    (None, "/"),
    ("", "/"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("/ok\r\nSet-Cookie: x", "/"),
    ("javascript:alert(1)", "/"),
])
def test_safe_next_keeps_only_same_site_paths(target, expected):
    assert rules.safe_next(target) == expected
