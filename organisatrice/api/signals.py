"""Keeps the tokens in step with their user: a new password or a deactivation revokes them all.

Connected in ApiConfig.ready(); the revocation itself is api_tokens_revoke_for_user."""

from typing import Any

from django.contrib.auth.hashers import get_hasher, identify_hasher, is_password_usable

from .services import api_tokens_revoke_for_user

_REVOKE_FLAG = "_api_tokens_revoke"


def _rehashed(old_hash: str, new_hash: str) -> bool:
    """Whether new_hash is check_password() storing a password it has just verified under the
    current hasher (after a Django upgrade, say): the same password, so the tokens stay."""
    if not is_password_usable(old_hash) or not is_password_usable(new_hash):
        return False
    try:
        old_hasher, new_hasher = identify_hasher(old_hash), identify_hasher(new_hash)
    except ValueError:
        return False
    preferred = get_hasher()
    outdated = old_hasher.algorithm != preferred.algorithm or preferred.must_update(old_hash)
    return outdated and new_hasher.algorithm == preferred.algorithm


def _password_changed(old_hash: str, user: Any) -> bool:
    if user.password == old_hash:
        return False
    # set_password() keeps the new password until save(): a password was chosen. check_password()
    # clears it before saving its upgrade, as Django does not count an upgrade as a change.
    if getattr(user, "_password", None) is not None:
        return True
    return not _rehashed(old_hash, user.password)


def user_pre_save(sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    setattr(instance, _REVOKE_FLAG, False)
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        # The login's update of last_login, among others: no query.
        return
    before = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    deactivated = before["is_active"] and not instance.is_active
    setattr(instance, _REVOKE_FLAG, deactivated or _password_changed(before["password"], instance))


def user_post_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    if getattr(instance, _REVOKE_FLAG, False):
        setattr(instance, _REVOKE_FLAG, False)
        api_tokens_revoke_for_user(user=instance)
