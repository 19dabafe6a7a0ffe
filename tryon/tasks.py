"""django-q2 entry points: thin wrappers over services."""

from tryon import ratelimit, services, webhooks


def run_tryon_task(public_id: str) -> None:
    services.run_task(public_id)


def deliver_webhook(delivery_id: int) -> None:
    webhooks.deliver(delivery_id)


def tryon_task_finished(q_task) -> None:
    """django-q2 hook: a delivery that raised or hit the time limit still ends our task, with a refund."""
    if q_task.success:
        return
    result = str(q_task.result or "")
    message = "The try-on task timed out" if "timeout" in result.lower() else services.GENERIC_FAILURE
    services.fail_task(q_task.args[0], message)
    services.abandon_remote_task(q_task.args[0])


def sweep() -> None:
    """Scheduled housekeeping: requeue lost tasks, fail stale ones, drop old rate-limit rows and
    idempotency keys, delete old files."""
    services.requeue_waiting_tasks()
    services.fail_stale_tasks()
    ratelimit.delete_old_windows()
    services.delete_expired_files()
    services.delete_old_studio_uploads()
    services.delete_orphan_files()
    services.delete_expired_idempotency_keys()
