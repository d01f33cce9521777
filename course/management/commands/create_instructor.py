"""Create (or update) an instructor: a staff user who can start classes and edit quiz questions in the admin."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create or update an instructor (staff user with the course app's permissions)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--password", help="Defaults to $INSTRUCTOR_PASSWORD, else asked for on the terminal."
        )
        parser.add_argument("--superuser", action="store_true", help="Also make the user a superuser.")

    def handle(self, *args, username, password=None, superuser=False, **options):
        password = password or os.environ.get("INSTRUCTOR_PASSWORD")
        if not password:
            if not options.get("interactive", True) or not os.isatty(0):
                raise CommandError("Give --password or set INSTRUCTOR_PASSWORD.")
            password = getpass.getpass("Password: ")
        if len(password) < 8:
            raise CommandError("The password must have at least 8 characters.")
        user, created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = True
        user.is_superuser = user.is_superuser or superuser
        user.set_password(password)
        user.save()
        user.user_permissions.add(*Permission.objects.filter(content_type__app_label="course"))
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} instructor {username!r}. Log in at /admin/, then open /class/.")
        )
