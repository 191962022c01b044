import pytest
from cryptography.fernet import Fernet

from organisatrice.vault import SecretUnreadable, secret_decrypt, secret_encrypt, secret_reencrypt


def test_a_secret_round_trips_and_is_not_stored_in_clear():
    token = secret_encrypt("mot de passe d'application é")
    assert "passe" not in token
    assert secret_decrypt(token) == "mot de passe d'application é"


def test_rotation_keeps_old_secrets_readable_and_moves_them_to_the_new_key(settings):
    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    settings.SECRETS_ENCRYPTION_KEYS = [old]
    token = secret_encrypt("secret")
    settings.SECRETS_ENCRYPTION_KEYS = [new, old]
    assert secret_decrypt(token) == "secret"
    rotated = secret_reencrypt(token)
    settings.SECRETS_ENCRYPTION_KEYS = [new]
    assert secret_decrypt(rotated) == "secret"
    with pytest.raises(SecretUnreadable):
        secret_decrypt(token)
