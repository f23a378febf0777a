"""Password rules: long enough, not the email address, not one of the passwords everybody tries."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
MAX_LENGTH = 200

# Passwords of ten characters or more that lead every leaked-password list (and their common
# Chinese-keyboard variants); shorter ones are refused by the length rule already.
COMMON = frozenset(
    """
    1234567890 0123456789 0987654321 9876543210 12345678910 123456789a a123456789 1234567890a
    123456789q q123456789 1q2w3e4r5t 1q2w3e4r5t6y 1qaz2wsx3edc qwertyuiop qwertyuiop123
    asdfghjkl; asdfghjkl1 zxcvbnm123 qazwsxedcrfv 1qazxsw23edc password12 password123
    password1234 passw0rd123 p@ssw0rd123 p@ssword123 administrator admin12345 admin123456
    adminadmin root123456 welcome123 iloveyou12 iloveyou123 qwerty1234 qwerty12345 qwerty123456
    abc1234567 abcd123456 abcdefghij abcdefg123 a1b2c3d4e5 1a2b3c4d5e 11111111111 1111111111
    0000000000 2222222222 5555555555 6666666666 8888888888 9999999999 1234512345 1212121212
    1122334455 1313131313 5201314520 5201314521 woaini1314 woaini5201314 5211314521 1314520520
    woaini123456 iloveyou1314 zhang123456 wang123456 li123456789 shanghai123 shanghai2024
    shanghai2025 shanghai2026 china123456 beijing123 football123 baseball123 superman123
    letmein123 trustno1234 monkey12345 dragon12345 sunshine123 princess123 computer123
    internet123 changeme123 starwars123 whatever123 1234567890q qwer123456 asdf123456
    zxcv123456 123456qwer 123456asdf 123qweasdzxc qweasdzxc123 1qaz2wsx12 147258369a
    1472583690 3692581470 1357924680 2468013579 159357159357 7418529630 9638527410
    """.split()
)


def password_problem(password: str, *, email: str | None = None):
    """A lazy message saying what is wrong with ``password``, or None if it may be used."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(n)s characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(n)s characters.", n=MAX_LENGTH)
    folded = password.strip().lower()
    if email:
        address = email.strip().lower()
        if folded in (address, address.split("@")[0]):
            return _l("Do not use your email address as your password.")
    if folded in COMMON or len(set(folded)) <= 2:
        return _l("This password is too common and easy to guess. Choose another.")
    return None
