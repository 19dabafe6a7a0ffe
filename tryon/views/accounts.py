"""Stylist accounts: staff invite, the invited stylist creates their own account (no admin needed)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tryon import services
from tryon.models import Invitation
from tryon.views.common import staff_required


@staff_required
def invitations(request):
    """Staff create one-time invitation links; each link is shown once."""
    link = None
    if request.method == "POST":
        token = services.create_invitation(request.user, request.POST.get("note", "").strip())
        link = request.build_absolute_uri(reverse("join", args=[token]))
    recent = Invitation.objects.select_related("created_by", "used_by")[:20]
    context = {"link": link, "invitations": recent, "now": timezone.now()}
    return render(request, "tryon/invitations.html", context)


def join(request, token):
    """An invited stylist picks a username and password; the account is theirs at once."""
    try:
        services.open_invitation(token)
    except services.InvalidInput as exc:
        return render(request, "registration/join.html", {"invitation_error": str(exc)}, status=410)
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(token, form.save)
        except services.InvalidInput as exc:
            return render(request, "registration/join.html", {"invitation_error": str(exc)}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}: your try-ons are kept with your account.")
        return redirect("studio")
    return render(request, "registration/join.html", {"form": form})
