"""Password rules with Chinese messages where Django's zh-hans catalogue lacks them.

Django 5.2 changed the minimum-length message id and its zh-hans translation no longer matches,
so that one rule would speak English; the other three validators are translated already. The
username rule is ours: Django has none that catches the username inside a longer password.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"


class UsernameInPasswordValidator:
    """Refuses a password that contains the username (``zhangsanzhangsan``, ``zhangsan@2025!``).

    Django's similarity rule compares the whole strings, so the username twice (similarity < 0.7)
    passes it; a password guesser tries exactly such variations first.
    """

    MIN_NAME = 3  # a name this short ("li") may occur by chance

    def validate(self, password, user=None):
        name = (user.get_username() if user is not None else "") or ""
        if len(name) >= self.MIN_NAME and name.casefold() in (password or "").casefold():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self) -> str:
        return "密码不能包含用户名。"
