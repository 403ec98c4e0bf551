"""The session store's and the page cache's shortcuts give what Django's own would."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore

from core.cache import FrozenObjectCache
from core.sessions import SessionStore


def test_a_session_read_twice_decodes_to_the_same_data_and_each_read_is_its_own_copy():
    store = SessionStore()
    text = store.encode({"_auth_user_id": "7", "django_language": "en"})
    first = SessionStore().decode(text)
    first["django_language"] = "zh-hans"  # a request changing its session
    second = SessionStore().decode(text)
    assert second == {"_auth_user_id": "7", "django_language": "en"}
    assert second == DjangoStore().decode(text)


def test_session_data_with_a_list_is_decoded_afresh_every_time():
    store = SessionStore()
    text = store.encode({"steps": ["a"]})
    SessionStore().decode(text)["steps"].append("b")
    assert SessionStore().decode(text) == {"steps": ["a"]}


def test_session_data_with_a_bad_signature_is_no_session():
    text = SessionStore().encode({"_auth_user_id": "7"})
    forged = text[:-3] + ("AAA" if not text.endswith("AAA") else "BBB")
    assert SessionStore().decode(forged) == {}


@pytest.fixture
def frozen_cache():
    cache = FrozenObjectCache("test-frozen", {"TIMEOUT": 60, "OPTIONS": {"MAX_ENTRIES": 3}})
    cache.clear()
    yield cache
    cache.clear()


def test_the_frozen_cache_gives_back_the_very_object_it_was_given(frozen_cache):
    kept = (b"page", b"parts")
    frozen_cache.set("user:1 url with spaces", kept)
    assert frozen_cache.get("user:1 url with spaces") is kept
    assert frozen_cache.get("missing", "default") == "default"
    assert frozen_cache.add("user:1 url with spaces", "other") is False
    assert frozen_cache.add("counter", 1) is True
    assert frozen_cache.incr("counter", 2) == 3
    with pytest.raises(ValueError):
        frozen_cache.incr("no such key")


def test_the_frozen_cache_forgets_what_expired_and_keeps_to_its_size(frozen_cache):
    frozen_cache.set("short", "x", timeout=0.05)
    time.sleep(0.1)
    assert frozen_cache.get("short") is None
    for number in range(10):
        frozen_cache.set(f"key {number}", number)
    assert len(frozen_cache._cache) <= 3
    assert frozen_cache.get("key 9") == 9


@pytest.mark.django_db
def test_a_saved_session_reads_back_with_its_user_and_an_unknown_key_reads_as_no_session(
    alice,
):
    from django.contrib.auth import SESSION_KEY

    saved = SessionStore()
    saved[SESSION_KEY] = str(alice.user.pk)
    saved["django_language"] = "en"
    saved.save()
    read = SessionStore(session_key=saved.session_key)
    assert read.load() == {SESSION_KEY: str(alice.user.pk), "django_language": "en"}
    if read.prefetched_user is not None:  # read in one query (PostgreSQL)
        assert read.prefetched_user == alice.user
    unknown = SessionStore(session_key="x" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None


def test_a_kept_pages_form_token_is_djangos_token_for_the_readers_cookie_masked_afresh():
    from django.middleware.csrf import (
        CSRF_ALLOWED_CHARS,
        _get_new_csrf_string,
        _unmask_cipher_token,
    )
    from django.test import RequestFactory

    from core.pagecache import form_token

    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret = _get_new_csrf_string()
    tokens = {form_token(request) for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == secret
    assert "CSRF_COOKIE_NEEDS_UPDATE" not in request.META  # the cookie is not sent again
