from celery import shared_task

from . import services


@shared_task(name="accounts.tokens_expired_delete", ignore_result=True)
def tokens_expired_delete() -> int:
    """Hourly (beat): deletes expired API tokens in batches. Requests only
    check the token they present (accounts.auth); this keeps the table from
    growing. Takes no arguments; two runs at once, or a retry, delete each
    token once."""
    return services.tokens_expired_delete()


@shared_task(name="accounts.closed_accounts_erase", ignore_result=True)
def closed_accounts_erase() -> int:
    """Hourly (beat): erases every account closed more than
    STEADY_ACCOUNT_ERASE_DAYS ago and not restored (journal key destroyed,
    everything it wrote deleted). Takes no arguments; a run that overlaps
    another, or a retry, erases each account once."""
    return services.closed_accounts_erase()
