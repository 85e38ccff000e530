from celery import shared_task

from . import services


@shared_task(name="accounts.tokens_expired_delete", ignore_result=True)
def tokens_expired_delete() -> int:
    """Hourly (beat): deletes expired API tokens in batches. Requests only
    check the token they present (accounts.auth); this keeps the table from
    growing. Takes no arguments; two runs at once, or a retry, delete each
    token once."""
    return services.tokens_expired_delete()
