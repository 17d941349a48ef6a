from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A form sent after its page went stale (a phone that slept, a back button): say what to do."""
    return render(request, "403_csrf.html", status=403)
