from django_tasks import task

from members.services import passwords


@task()
def text_reset_code(person_id: int | None) -> None:
    """Text a password reset code to a resident who asked for one (members.services.passwords)."""
    passwords.reset_code_text(person_id)
