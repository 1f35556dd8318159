"""Password rules with Chinese messages where Django's zh-hans catalogue lacks them.

Django 5.2 changed the minimum-length message id and its zh-hans translation no longer matches,
so that one rule would speak English; the other three validators are translated already.
"""

from __future__ import annotations

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
