from celery import shared_task

from . import conversation


@shared_task(name="repair.expire", ignore_result=True)
def expire() -> int:
    """Every few minutes (beat): closes, silently, repair conversations left
    open past STEADY_REPAIR_OPEN_DAYS. A conditional update claims each, so
    two runs at once, or a retry, close each once."""
    return conversation.repairs_expire()
