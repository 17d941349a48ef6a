"""A server process that dies in the middle of an attendance sync, for test_sync_concurrency.py.

``python -m tests.api.dying_worker TOKEN KEY BODY_FILE``, with DATABASE_URL naming the test database,
sends the batch through the API like a phone. Once the sync has written its rows (inside the request's
transaction, not committed) it prints "working" and waits on stdin: the test kills it there.
"""

import json
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    import django

    django.setup()
    from rest_framework.test import APIClient

    from api.views import attendance

    sync = attendance.attendance_sync

    def stalling(**kwargs):
        result = sync(**kwargs)
        print("working", flush=True)
        sys.stdin.readline()  # the test kills the process while it waits here
        return result

    attendance.attendance_sync = stalling
    token, key, body = sys.argv[1:]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with open(body, encoding="utf-8") as file:
        response = client.post(
            "/api/v1/attendance/sync/", json.load(file), format="json", HTTP_IDEMPOTENCY_KEY=key
        )
    print(response.status_code, flush=True)


if __name__ == "__main__":
    main()
