"""Operations and security: backup/restore, login lock-out (django-axes glue)."""
