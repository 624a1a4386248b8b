from django.shortcuts import render


def csrf_failure(request, reason=""):
    """Django's CSRF refusal, explained in the user's language."""
    return render(request, "403_csrf.html", status=403)
