import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from reminders.dispatch import dispatch_tick


class Command(BaseCommand):
    help = "Run one reminder tick. With --dry-run, print what would be sent and change nothing."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO 8601 instant to run the tick at (default: now)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, now=None, dry_run=False, **options):
        at = None
        if now:
            try:
                at = dt.datetime.fromisoformat(now.replace("Z", "+00:00"))
            except ValueError as exc:
                raise CommandError(f"--now must be an ISO 8601 instant: {exc}") from exc
            if at.tzinfo is None:
                raise CommandError("--now needs an offset, for example 2026-03-08T07:00:00Z")
        result = dispatch_tick(now=at, dry_run=dry_run)
        if dry_run:
            for line in result.lines:
                self.stdout.write(line)
        else:
            self.stdout.write(" ".join(f"{k}={v}" for k, v in result.as_dict().items()))
