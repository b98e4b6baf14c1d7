from django.conf import settings
from django.shortcuts import redirect, render

from learners.permissions import current_resident, reading_statistics


def town(request):
    """Template context: what makes this deployment a given town's."""
    return {
        "TOWN_NAME": settings.TOWN_NAME,
        "NETWORK_NAME": settings.NETWORK_NAME,
    }


def home(request):
    """Send each person to their own first page; visitors get the public welcome."""
    user = request.user
    if user.is_authenticated:
        if user.is_official:
            return redirect("stats")
        return redirect("session_list")
    if current_resident(request):
        return redirect("me")
    return render(request, "pathway/home.html")


@reading_statistics
def stats(request):
    return render(request, "pathway/stats.html")


def privacy(request):
    return render(request, "pathway/privacy.html")
