from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "duban.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self):
        """Account changes are audited however they are made (command, admin, shell)."""
        from duban.accounts import signals

        signals.connect()
