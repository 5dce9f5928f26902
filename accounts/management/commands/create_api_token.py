"""``manage.py create_api_token USERNAME [--name NAME]``: print a new personal API token."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="created with manage.py", help="what it is for")

    def handle(self, *args, username: str, name: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        _token, plaintext = api_token_create(user=user, name=name)
        self.stdout.write(plaintext)
